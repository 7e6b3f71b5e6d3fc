import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Nodemailer from "next-auth/providers/nodemailer";
import { cache } from "react";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { clientIp } from "@/lib/net/client-ip";
import { currentSessionVersion, endSessions, sessionCurrent, tokenVersion } from "./sessions";
import { findUser, signInWithPassword, syncAdminRole } from "./users";

// Auth.js v5. Sessions are JWTs (the credentials provider requires it); the Prisma adapter
// stores OAuth accounts and magic-link tokens. The token carries only the user id and the
// session version it was issued at: role and balance are read from the database on every
// server check, so a revoked admin loses access at once, and a session whose version is no
// longer the user's (sign-out, password change, role change: ./sessions.ts) is no session.

/** Sign-in refused because the account or the address is throttled (./throttle.ts); code "throttled:<minutes>". */
export class SignInThrottled extends CredentialsSignin {
  constructor(retryAfterSeconds: number) {
    super();
    this.code = `throttled:${Math.max(1, Math.ceil(retryAfterSeconds / 60))}`;
  }
}

function providers(): Provider[] {
  const e = env();
  const list: Provider[] = [
    Credentials({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: async (c, request) => {
        const r = await signInWithPassword(String(c?.email ?? ""), String(c?.password ?? ""), clientIp(request.headers));
        if (!r.ok && r.reason === "throttled") throw new SignInThrottled(r.retryAfterSeconds);
        return r.ok ? { id: r.user.id, email: r.user.email, name: r.user.name } : null;
      },
    }),
  ];
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) list.push(GitHub({ clientId: e.AUTH_GITHUB_ID, clientSecret: e.AUTH_GITHUB_SECRET }));
  if (e.SMTP_URL && e.EMAIL_FROM) list.push(Nodemailer({ server: e.SMTP_URL, from: e.EMAIL_FROM }));
  return list;
}

/** Which optional sign-in methods this deployment offers (for the sign-in page). */
export function signInMethods(): { github: boolean; email: boolean } {
  const e = env();
  return { github: Boolean(e.AUTH_GITHUB_ID), email: Boolean(e.SMTP_URL && e.EMAIL_FROM) };
}

function config(): NextAuthConfig {
  const e = env();
  return {
    adapter: PrismaAdapter(db as never),
    secret: e.AUTH_SECRET,
    trustHost: true,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/sign-in", verifyRequest: "/sign-in?check=email", error: "/sign-in" },
    providers: providers(),
    // Auth.js's own logger prints a stack for every wrong password; a failed sign-in is an
    // expected outcome, so it goes to our structured log at info level instead.
    logger: {
      error(error) {
        const type = (error as { type?: string }).type ?? error.name;
        if (type === "CredentialsSignin") log.info({ type }, "sign-in refused");
        else log.error({ type, message: error.message }, "auth error");
      },
      warn(code) {
        log.warn({ code }, "auth warning");
      },
      debug() {},
    },
    callbacks: {
      async jwt({ token, user }) {
        if (user?.id) {
          token.sub = user.id;
          token.sv = await currentSessionVersion(user.id);
          return token;
        }
        // Every later read of the session: a token from before the user's last sign-out,
        // password change or role change is no session (Auth.js then clears the cookie).
        if (token.sub && (await currentSessionVersion(token.sub)) !== tokenVersion(token as { sv?: unknown })) return null;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        (session as { sv?: number }).sv = tokenVersion(token as { sv?: unknown });
        return session;
      },
    },
    events: {
      // OAuth and magic-link accounts are created by the adapter (a magic link proves the
      // address: emailVerified is set); ADMIN_EMAILS applies once the address is verified.
      async signIn({ user }) {
        if (user.id) {
          const u = await findUser(user.id);
          if (u) await syncAdminRole(u);
        }
      },
      // Sign-out ends every session of the user, not only this browser's cookie.
      async signOut(message) {
        const sub = "token" in message ? message.token?.sub : undefined;
        if (sub) await endSessions(sub);
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());

/**
 * The signed-in user as the database knows them now, or null. Memoised per request (React
 * cache), so the layout, the page and a guard share one lookup.
 */
export const sessionUser = cache(async () => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await findUser(id);
  if (!user || !sessionCurrent(user, (session as { sv?: number }).sv ?? 0)) return null;
  const { sessionVersion: _, ...rest } = user;
  return rest;
});
