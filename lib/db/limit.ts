import "server-only";
import { createHash } from "node:crypto";
import type { Prisma } from "@/lib/db/client";

// A limit that holds under concurrency, kept in the database (correct across instances, no
// extra store): inside the caller's transaction, a transaction-scoped advisory lock on the
// key serialises every use of that key, then the uses inside the window are counted and, if
// there is room, one more is recorded. Concurrent callers queue on the lock; the first
// `limit` get in, the rest are refused. A refused attempt records nothing; rows that left the
// window are deleted on the way, so a key never holds more than `limit` rows.

export interface LimitRule {
  /** What is limited, e.g. "mpesa-prompt:254712345678". */
  key: string;
  limit: number;
  windowMs: number;
}

/** The advisory lock id of a key: 64 bits of its SHA-256 (a collision only makes two keys wait on each other). */
export function lockId(key: string): bigint {
  return createHash("sha256").update(key).digest().readBigInt64BE(0);
}

/** Serialises everything that locks `key` until the transaction ends. */
export async function lockKey(tx: Prisma.TransactionClient, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockId(key)}::bigint)`;
}

/** Records one use of rule.key if fewer than rule.limit are inside the window; returns the uses before this one, or null when refused. */
export async function takeSlot(tx: Prisma.TransactionClient, rule: LimitRule, now = new Date()): Promise<number | null> {
  await lockKey(tx, rule.key);
  const since = new Date(now.getTime() - rule.windowMs);
  await tx.rateLimitHit.deleteMany({ where: { key: rule.key, at: { lt: since } } });
  const used = await tx.rateLimitHit.count({ where: { key: rule.key, at: { gte: since } } });
  if (used >= rule.limit) return null;
  await tx.rateLimitHit.create({ data: { key: rule.key, at: now }, select: { id: true } });
  return used;
}
