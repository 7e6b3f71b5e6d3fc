import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";

// Email-link tokens for password reset and email change. The link carries 32 random bytes;
// the database keeps only their SHA-256, so reading the table hands out no working link.
// A token is used by one compare-and-set (unused, unexpired → used), so two clicks, two tabs
// or a replayed link can use it once at most.

export type TokenPurpose = "password_reset" | "email_change";

export const TOKEN_TTL_MS: Record<TokenPurpose, number> = { password_reset: 60 * 60_000, email_change: 24 * 60 * 60_000 };

export const hashToken = (raw: string) => createHash("sha256").update(raw, "utf8").digest("hex");

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedToken {
  id: string;
  /** Goes into the emailed link, never stored. */
  raw: string;
  expiresAt: Date;
}

/** A fresh token; earlier unused ones of the same purpose stop working (only the newest link counts). */
export async function issueToken(userId: string, purpose: TokenPurpose, opts: { newEmail?: string; now?: Date } = {}): Promise<IssuedToken> {
  const now = opts.now ?? new Date();
  const raw = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS[purpose]);
  const row = await db.$transaction(async (tx) => {
    await tx.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: now } });
    return tx.accountToken.create({ data: { userId, purpose, tokenHash: hashToken(raw), newEmail: opts.newEmail ?? null, expiresAt }, select: { id: true } });
  });
  return { id: row.id, raw, expiresAt };
}

/** How many tokens of this purpose the user was sent since `since` (a throttle on emails). */
export function tokensSince(userId: string, purpose: TokenPurpose, since: Date): Promise<number> {
  return db.accountToken.count({ where: { userId, purpose, createdAt: { gte: since } } });
}

/** The token's row if it is valid now (not used, not expired), without using it. */
export async function peekToken(raw: unknown, purpose: TokenPurpose, now = new Date()) {
  if (typeof raw !== "string" || !TOKEN.test(raw)) return null;
  return db.accountToken.findFirst({
    where: { tokenHash: hashToken(raw), purpose, usedAt: null, expiresAt: { gt: now } },
    select: { id: true, userId: true, newEmail: true, expiresAt: true },
  });
}

type Tx = Parameters<Parameters<typeof db.$transaction>[0]>[0];

/** Uses the token inside `tx` (compare-and-set): its row, or null when it was unknown, used or expired. */
export async function consumeToken(tx: Tx, raw: unknown, purpose: TokenPurpose, now = new Date()) {
  if (typeof raw !== "string" || !TOKEN.test(raw)) return null;
  const tokenHash = hashToken(raw);
  const { count } = await tx.accountToken.updateMany({ where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (count !== 1) return null;
  return tx.accountToken.findUniqueOrThrow({ where: { tokenHash }, select: { id: true, userId: true, newEmail: true } });
}
