import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth, { type NextAuthConfig } from "next-auth";
import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Nodemailer from "next-auth/providers/nodemailer";
import { cache } from "react";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { authenticate, findUser, roleForEmail } from "./users";

// Auth.js v5. Sessions are JWTs (the credentials provider requires it); the Prisma adapter
// stores OAuth accounts and magic-link tokens. The token carries only the user id: role and
// balance are read from the database on every server check, so a revoked admin loses access
// at once rather than when the token expires.

function providers(): Provider[] {
  const e = env();
  const list: Provider[] = [
    Credentials({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: async (c) => {
        const user = await authenticate(String(c?.email ?? ""), String(c?.password ?? ""));
        return user ? { id: user.id, email: user.email, name: user.name } : null;
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
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub;
        return session;
      },
    },
    events: {
      // OAuth and magic-link accounts are created by the adapter; apply ADMIN_EMAILS there too.
      async createUser({ user }) {
        if (user.id && user.email && roleForEmail(user.email) === "admin") await db.user.update({ where: { id: user.id }, data: { role: "admin" } });
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
  return id ? findUser(id) : null;
});
