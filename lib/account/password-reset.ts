import "server-only";
import { z } from "zod";
import { hashPassword } from "@/lib/auth/passwords";
import { endSessions } from "@/lib/auth/sessions";
import { emailSchema, passwordSchema } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { accountLink, sendAccountEmail } from "./mail";
import { consumeToken, issueToken, tokensSince } from "./tokens";

// "Forgot password": a link by email that sets a new password once. The answer to a request
// is the same whether or not the address has an account (no one learns who is registered),
// and one account gets at most RESET_EMAILS_PER_HOUR links an hour (the inbox cannot be flooded).

export const RESET_EMAILS_PER_HOUR = 3;

/** Sends a reset link if `email` has an account. Always resolves the same way. */
export async function requestPasswordReset(emailInput: string, locale: string, now = new Date()): Promise<void> {
  const parsed = emailSchema.safeParse(emailInput);
  if (!parsed.success) throw new AppError("validation_failed", "Enter a valid email address.", { email: ["Enter a valid email address."] });
  const user = await db.user.findUnique({ where: { email: parsed.data }, select: { id: true, email: true, name: true, locale: true } });
  if (!user) return;
  if ((await tokensSince(user.id, "password_reset", new Date(now.getTime() - 3_600_000))) >= RESET_EMAILS_PER_HOUR) {
    log.info({ userId: user.id }, "password reset: hourly limit reached, no email sent");
    return;
  }
  const token = await issueToken(user.id, "password_reset", { now });
  await sendAccountEmail({
    dedupKey: `password_reset:${token.id}`,
    to: user.email,
    locale: user.locale ?? locale,
    kind: "passwordReset",
    name: user.name,
    link: accountLink("/reset-password", token.raw),
  });
}

const resetSchema = z.object({ password: passwordSchema });

/**
 * Sets a new password with a reset link's token (once: the token is used in the same
 * transaction). Returns the account's email, to sign in with. An unknown, used or expired
 * token is a validation error that changes nothing.
 */
export async function resetPassword(rawToken: unknown, password: string, now = new Date()): Promise<{ userId: string; email: string }> {
  const parsed = resetSchema.safeParse({ password });
  if (!parsed.success) throw new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(parsed.error).fieldErrors);
  const passwordHash = await hashPassword(parsed.data.password);
  const user = await db.$transaction(async (tx) => {
    const token = await consumeToken(tx, rawToken, "password_reset", now);
    if (!token) return null;
    // Sessions opened with the old password end; following the emailed link also proves the address.
    await endSessions(token.userId, tx);
    await tx.user.updateMany({ where: { id: token.userId, emailVerified: null }, data: { emailVerified: now } });
    return tx.user.update({ where: { id: token.userId }, data: { passwordHash }, select: { id: true, email: true, name: true, locale: true } });
  });
  if (!user) throw new AppError("validation_failed", "This reset link has expired or was already used. Ask for a new one.", { token: ["expired"] });
  await sendAccountEmail({
    dedupKey: `password_changed:${user.id}:${now.getTime()}`,
    to: user.email,
    locale: user.locale ?? "en",
    kind: "passwordChanged",
    name: user.name,
  });
  return { userId: user.id, email: user.email };
}
