import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { registerUser, type SignUpInput, syncAdminRole } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { isLocale, type Locale } from "@/lib/i18n/config";
import { log } from "@/lib/log";
import { sendWelcome } from "@/lib/omnisend/events";
import { accountLink, sendAccountEmail } from "./mail";

// Sign-up and proving an address. Sign-up answers the same whether or not the address already
// has an account (no one learns who is registered): a new address gets its account and a
// confirmation link; an existing one gets an email telling its owner that someone tried, and
// nothing else changes. The confirmation link sets emailVerified — which is what lets
// ADMIN_EMAILS make an account admin. Its token lives in Auth.js's VerificationToken table
// as a SHA-256 (identifier "verify-email:<userId>"), single use, 24 hours.

export const VERIFY_TTL_MS = 24 * 60 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const hash = (raw: string) => createHash("sha256").update(raw, "utf8").digest("hex");
const identifier = (userId: string) => `verify-email:${userId}`;

/** Sends (again) the link that proves the account's address; earlier links stop working. */
export async function sendVerificationEmail(userId: string, now = new Date()): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, locale: true, emailVerified: true } });
  if (!user || user.emailVerified) return;
  const raw = randomBytes(32).toString("base64url");
  await db.$transaction([
    db.verificationToken.deleteMany({ where: { identifier: identifier(user.id) } }),
    db.verificationToken.create({ data: { identifier: identifier(user.id), token: hash(raw), expires: new Date(now.getTime() + VERIFY_TTL_MS) } }),
  ]);
  await sendAccountEmail({
    dedupKey: `verify_email:${user.id}:${now.getTime()}`,
    to: user.email,
    locale: user.locale ?? "en",
    kind: "verifyEmail",
    name: user.name,
    link: accountLink("/account/email/verify", raw),
  });
}

/** The account a valid (unused, unexpired) confirmation token belongs to, without using it. */
export async function peekVerification(raw: unknown, now = new Date()): Promise<{ email: string } | null> {
  if (typeof raw !== "string" || !TOKEN.test(raw)) return null;
  const row = await db.verificationToken.findFirst({ where: { token: hash(raw), identifier: { startsWith: "verify-email:" }, expires: { gt: now } } });
  if (!row) return null;
  return db.user.findUnique({ where: { id: row.identifier.slice("verify-email:".length) }, select: { email: true } });
}

/** Uses the token once: the address is verified, and ADMIN_EMAILS applies. False when unknown, used or expired. */
export async function confirmEmailAddress(raw: unknown, now = new Date()): Promise<boolean> {
  if (typeof raw !== "string" || !TOKEN.test(raw)) return false;
  const userId = await db.$transaction(async (tx) => {
    const row = await tx.verificationToken.findFirst({ where: { token: hash(raw), identifier: { startsWith: "verify-email:" }, expires: { gt: now } } });
    if (!row) return null;
    // The delete is the compare-and-set: of two clicks, one deletes the row.
    const { count } = await tx.verificationToken.deleteMany({ where: { identifier: row.identifier, token: row.token } });
    if (count !== 1) return null;
    const id = row.identifier.slice("verify-email:".length);
    await tx.user.updateMany({ where: { id, emailVerified: null }, data: { emailVerified: now } });
    return id;
  });
  if (!userId) return false;
  const user = await db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, role: true } });
  if (user) await syncAdminRole(user);
  return true;
}

export type SignUpResult = { ok: true } | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * Sign-up with the same answer for a new and an existing address. Field errors (a malformed
 * address, a short password) come back as they are; they say nothing about who is registered.
 */
export async function signUpAccount(input: SignUpInput, locale: Locale, now = new Date()): Promise<SignUpResult> {
  try {
    const user = await registerUser(input);
    const lang = isLocale(locale) ? locale : "en";
    await db.user.updateMany({ where: { id: user.id }, data: { locale: lang } });
    await sendVerificationEmail(user.id, now);
    // Once per new account (the outbox row is keyed by it); a failure waits for the reconciler.
    await sendWelcome({ userId: user.id, email: user.email, name: user.name, locale: lang, createdAt: now }, now);
    return { ok: true };
  } catch (err) {
    if (!isAppError(err) || err.code !== "validation_failed") throw err;
    const fields = (err.details ?? {}) as Record<string, string[]>;
    if (!fields.email?.some((m) => m.startsWith("An account with this email already exists"))) return { ok: false, fieldErrors: fields };
  }
  // The address has an account (registerUser hashed the password before finding out, so both
  // answers take as long): tell its owner, change nothing.
  const email = String(input.email ?? "")
    .trim()
    .toLowerCase();
  const owner = await db.user.findUnique({ where: { email }, select: { id: true, name: true, locale: true } });
  if (owner)
    await sendAccountEmail({
      dedupKey: `signup_existing:${owner.id}:${now.getTime()}`,
      to: email,
      locale: owner.locale ?? "en",
      kind: "signUpExisting",
      name: owner.name,
      link: new URL("/forgot-password", env().APP_URL).toString(),
    }).catch((e) => log.warn({ err: e }, "could not tell an account's owner about a sign-up attempt"));
  return { ok: true };
}
