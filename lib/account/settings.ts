import "server-only";
import { z } from "zod";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";
import { endSessions } from "@/lib/auth/sessions";
import { emailSchema, passwordSchema } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { isLocale, type Locale } from "@/lib/i18n/config";
import { accountLink, sendAccountEmail } from "./mail";
import { consumeToken, issueToken, tokensSince } from "./tokens";

// Account settings: name, language, password (knowing the current one) and email (by a link
// sent to the new address, so nobody can move an account to an address they do not own; the
// old address is told). Every function takes the user's id explicitly, never the session.

const nameSchema = z.object({ name: z.string().trim().max(100, "Use at most 100 characters.") });

const fail = (err: z.ZodError) => new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(err).fieldErrors);

export async function updateName(userId: string, name: string): Promise<void> {
  const parsed = nameSchema.safeParse({ name });
  if (!parsed.success) throw fail(parsed.error);
  await db.user.update({ where: { id: userId }, data: { name: parsed.data.name || null } });
}

export async function setUserLocale(userId: string, locale: Locale): Promise<void> {
  if (!isLocale(locale)) throw new AppError("validation_failed", "Unknown language.");
  await db.user.updateMany({ where: { id: userId }, data: { locale } });
}

async function checkCurrentPassword(userId: string, current: string): Promise<{ email: string; name: string | null; locale: string | null }> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true, email: true, name: true, locale: true } });
  // Accounts created by GitHub or an email link have no password to confirm with.
  if (user.passwordHash && !(await verifyPassword(user.passwordHash, current)))
    throw new AppError("validation_failed", "Check the highlighted fields.", { currentPassword: ["That is not your current password."] });
  return user;
}

export async function changePassword(userId: string, current: string, next: string, now = new Date()): Promise<void> {
  const parsed = z.object({ password: passwordSchema }).safeParse({ password: next });
  if (!parsed.success) throw fail(parsed.error);
  const user = await checkCurrentPassword(userId, current);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(parsed.data.password) } });
    // Whoever knew the old password is signed out everywhere (the caller signs this browser in again).
    await endSessions(userId, tx);
  });
  await sendAccountEmail({
    dedupKey: `password_changed:${userId}:${now.getTime()}`,
    to: user.email,
    locale: user.locale ?? "en",
    kind: "passwordChanged",
    name: user.name,
  });
}

export const EMAIL_CHANGES_PER_HOUR = 3;

/** Sends a confirmation link to the new address; nothing changes until it is followed. */
export async function requestEmailChange(userId: string, newEmailInput: string, current: string, locale: string, now = new Date()): Promise<void> {
  const parsed = emailSchema.safeParse(newEmailInput);
  if (!parsed.success) throw new AppError("validation_failed", "Check the highlighted fields.", { newEmail: ["Enter a valid email address."] });
  const newEmail = parsed.data;
  const user = await checkCurrentPassword(userId, current);
  if (newEmail === user.email) throw new AppError("validation_failed", "Check the highlighted fields.", { newEmail: ["That is already your email address."] });
  if (await db.user.findUnique({ where: { email: newEmail }, select: { id: true } }))
    throw new AppError("validation_failed", "Check the highlighted fields.", { newEmail: ["Another account uses this address."] });
  if ((await tokensSince(userId, "email_change", new Date(now.getTime() - 3_600_000))) >= EMAIL_CHANGES_PER_HOUR)
    throw new AppError("rate_limited", "Too many email changes in the last hour. Please try again later.");
  const token = await issueToken(userId, "email_change", { newEmail, now });
  const lang = user.locale ?? locale;
  await sendAccountEmail({
    dedupKey: `email_change:${token.id}`,
    to: newEmail,
    locale: lang,
    kind: "emailChange",
    name: user.name,
    link: accountLink("/account/email/confirm", token.raw),
    values: { newEmail, oldEmail: user.email },
  });
  await sendAccountEmail({
    dedupKey: `email_change_notice:${token.id}`,
    to: user.email,
    locale: lang,
    kind: "emailChangeNotice",
    name: user.name,
    values: { newEmail, oldEmail: user.email },
  });
}

/** Follows an email-change link (once). Returns the new address. */
export async function confirmEmailChange(rawToken: unknown, now = new Date()): Promise<{ userId: string; email: string }> {
  let result: { id: string; email: string; name: string | null; locale: string | null; oldEmail: string } | null;
  try {
    result = await db.$transaction(async (tx) => {
      const token = await consumeToken(tx, rawToken, "email_change", now);
      if (!token?.newEmail) return null;
      const before = await tx.user.findUniqueOrThrow({ where: { id: token.userId }, select: { email: true } });
      const after = await tx.user.update({
        where: { id: token.userId },
        data: { email: token.newEmail, emailVerified: now },
        select: { id: true, email: true, name: true, locale: true },
      });
      return { ...after, oldEmail: before.email };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "Another account took this address meanwhile. Nothing was changed.");
    throw err;
  }
  if (!result) throw new AppError("validation_failed", "This confirmation link has expired or was already used.", { token: ["expired"] });
  await sendAccountEmail({
    dedupKey: `email_changed:${result.id}:${now.getTime()}`,
    to: result.oldEmail,
    locale: result.locale ?? "en",
    kind: "emailChanged",
    name: result.name,
    values: { newEmail: result.email, oldEmail: result.oldEmail },
  });
  return { userId: result.id, email: result.email };
}
