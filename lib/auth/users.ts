import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";
import { recordSignInFailure, recordSignInSuccess, signInBlockedFor } from "./throttle";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email({ message: "Enter a valid email address." }));

export const passwordSchema = z.string().min(10, "Use at least 10 characters.").max(200, "Use at most 200 characters.");

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .max(100, "Use at most 100 characters.")
    .optional()
    .transform((v) => v || undefined),
  email: emailSchema,
  password: passwordSchema,
});
export type SignUpInput = z.input<typeof signUpSchema>;

export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export type Role = "buyer" | "admin";

/**
 * ADMIN_EMAILS names the addresses that may hold the admin role — once the address is proven
 * (emailVerified: a magic link, a confirmation link, an email change) and unless an admin
 * revoked it (adminRevokedAt). Everyone starts as a buyer.
 */
export function listedAsAdmin(email: string): boolean {
  return env().ADMIN_EMAILS.includes(email.toLowerCase());
}

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

const publicSelect = { id: true, email: true, name: true, role: true } as const;

/** Creates an email + password account. Throws validation_failed with field errors. */
export async function registerUser(input: SignUpInput): Promise<PublicUser> {
  const parsed = signUpSchema.safeParse(input);
  if (!parsed.success) throw new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(parsed.error).fieldErrors);
  const { email, password, name } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    // Always a buyer: the address is not proven yet (see syncAdminRole).
    return await db.user.create({
      data: { email, name: name ?? null, passwordHash, role: "buyer" },
      select: publicSelect,
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError("validation_failed", "Check the highlighted fields.", {
        email: ["An account with this email already exists. Sign in instead."],
      });
    throw err;
  }
}

export type SignInOutcome = { ok: true; user: PublicUser } | { ok: false; reason: "invalid" } | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Email + password sign-in with throttling (./throttle.ts) per account and per client address:
 * while either is blocked, even the right password is refused. The same "invalid" answer for
 * an unknown email and a wrong password.
 */
export async function signInWithPassword(email: string, password: string, ip: string | null): Promise<SignInOutcome> {
  const keys = { email: email.trim().toLowerCase().slice(0, 254), ip };
  const wait = await signInBlockedFor(keys);
  if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: wait };
  const user = await authenticate(email, password);
  if (!user) {
    await recordSignInFailure(keys);
    return { ok: false, reason: "invalid" };
  }
  await recordSignInSuccess(keys);
  return { ok: true, user };
}

/** The user for an email + password pair, or null. Same timing whether the email exists or not. Unthrottled: sign-in goes through signInWithPassword. */
export async function authenticate(email: string, password: string): Promise<PublicUser | null> {
  const parsed = signInSchema.safeParse({ email, password });
  if (!parsed.success) return null;
  const user = await db.user.findUnique({
    where: { email: parsed.data.email },
    select: { ...publicSelect, passwordHash: true },
  });
  if (!user?.passwordHash) {
    await burnPasswordCheck(parsed.data.password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, parsed.data.password))) return null;
  const { passwordHash: _, ...rest } = user;
  return syncAdminRole(rest);
}

/**
 * Promotes an account listed in ADMIN_EMAILS whose address is verified and whose admin role
 * was never revoked, with an audit row (actor: none — the list did it). Runs at sign-in and
 * when an address is confirmed.
 */
export async function syncAdminRole(user: PublicUser): Promise<PublicUser> {
  if (user.role === "admin" || !listedAsAdmin(user.email)) return user;
  return db.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: user.id, role: "buyer", email: user.email, emailVerified: { not: null }, adminRevokedAt: null },
      data: { role: "admin" },
    });
    if (count === 1)
      await tx.auditLog.create({
        data: {
          actorId: null,
          action: "user.grant_admin",
          targetType: "user",
          targetId: user.id,
          reason: "ADMIN_EMAILS lists this verified address",
          data: { email: user.email, from: "buyer", to: "admin", source: "ADMIN_EMAILS" },
        },
      });
    return tx.user.findUniqueOrThrow({ where: { id: user.id }, select: publicSelect });
  });
}

export function findUser(id: string): Promise<(PublicUser & { balance: number; sessionVersion: number }) | null> {
  return db.user.findUnique({ where: { id }, select: { ...publicSelect, balance: true, sessionVersion: true } });
}
