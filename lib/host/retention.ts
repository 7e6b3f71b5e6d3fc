import "server-only";
import { db } from "@/lib/db/client";

// How long the API's stored first answers (Idempotency-Key) are kept: at least 24 hours, as
// Stripe promises; the scheduled sweep (lib/host/maintenance.ts) drops older ones.

export const RETENTION_MS = 24 * 60 * 60 * 1000;

/** Drops stored answers older than `olderThanMs` (never less than the 24 h retention). */
export async function pruneIdempotencyKeys(now = new Date(), olderThanMs = 2 * RETENTION_MS): Promise<number> {
  const r = await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - Math.max(olderThanMs, RETENTION_MS)) } } });
  return r.count;
}
