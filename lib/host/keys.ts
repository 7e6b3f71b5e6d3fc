import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { db, Prisma, sql } from "@/lib/db/client";

// API keys of host applications. A key is `sk_<12 hex>_<43 base64url>`: the first part is
// its prefix (what admins see, unique), the whole key is shown once and only its SHA-256 is
// stored. The secret has 256 random bits, so a plain hash (no salt, no slow KDF) is enough,
// and looking the hash up by a unique index is the comparison.

export const SCOPES = ["read", "checkouts:write", "credits:write", "webhooks:write"] as const;
export type Scope = (typeof SCOPES)[number];

export interface GeneratedKey {
  secret: string;
  prefix: string;
  secretHash: string;
}

export function generateKey(): GeneratedKey {
  const prefix = `sk_${randomBytes(6).toString("hex")}`;
  const secret = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix, secretHash: hashKey(secret) };
}

export const hashKey = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

const KEY_SHAPE = /^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

export interface ApiPrincipal {
  id: string;
  prefix: string;
  scopes: Scope[];
  rateLimitPerMinute: number;
}

/** The live key behind a bearer secret, or null (unknown, malformed or revoked). */
export async function authenticateKey(secret: string, now = new Date()): Promise<ApiPrincipal | null> {
  if (!KEY_SHAPE.test(secret)) return null;
  const key = await db.apiKey.findUnique({
    where: { secretHash: hashKey(secret) },
    select: { id: true, prefix: true, scopes: true, rateLimitPerMinute: true, revokedAt: true, lastUsedAt: true },
  });
  if (!key || key.revokedAt) return null;
  // Last-used time to the minute: one write a minute per key, not one per request.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000)
    await db.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  return { id: key.id, prefix: key.prefix, scopes: key.scopes as Scope[], rateLimitPerMinute: key.rateLimitPerMinute };
}

/**
 * Counts one request in the key's current minute (one atomic upsert, correct across
 * instances). Over the limit: the seconds until the window ends, for Retry-After.
 */
export async function countRequest(
  key: Pick<ApiPrincipal, "id" | "rateLimitPerMinute">,
  now = new Date(),
): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO "ApiRateWindow" ("apiKeyId", "windowStart", "count") VALUES (${key.id}, ${windowStart}, 1)
    ON CONFLICT ("apiKeyId", "windowStart") DO UPDATE SET "count" = "ApiRateWindow"."count" + 1
    RETURNING "count"`;
  const count = rows[0]?.count ?? 0;
  if (count === 1 && Math.random() < 0.05)
    // Now and then, as a new window opens, drop windows nobody will read again.
    await db.apiRateWindow.deleteMany({ where: { windowStart: { lt: new Date(windowStart.getTime() - 10 * 60_000) } } });
  if (count <= key.rateLimitPerMinute) return { ok: true };
  return { ok: false, retryAfter: Math.max(1, Math.ceil((windowStart.getTime() + 60_000 - now.getTime()) / 1000)) };
}

/**
 * authenticateKey and countRequest in one round trip (the /api/v1 wrapper's path): the live
 * key behind the secret and its request counted in the current minute, or null (unknown,
 * malformed or revoked — read from the row on every request, never cached, and a revoked
 * key's request is not counted). Last-used time is still written at most once a minute.
 */
export async function authenticateAndCount(
  secret: string,
  now = new Date(),
): Promise<{ key: ApiPrincipal; limit: { ok: true } | { ok: false; retryAfter: number } } | null> {
  if (!KEY_SHAPE.test(secret)) return null;
  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = await sql<{ id: string; prefix: string; scopes: string[]; rateLimitPerMinute: number; lastUsedAt: Date | null; count: number }>(Prisma.sql`
    WITH k AS (
      SELECT "id", "prefix", "scopes", "rateLimitPerMinute", "lastUsedAt" FROM "ApiKey"
      WHERE "secretHash" = ${hashKey(secret)} AND "revokedAt" IS NULL
    ), w AS (
      INSERT INTO "ApiRateWindow" ("apiKeyId", "windowStart", "count") SELECT k."id", ${windowStart}::timestamp(3), 1 FROM k
      ON CONFLICT ("apiKeyId", "windowStart") DO UPDATE SET "count" = "ApiRateWindow"."count" + 1
      RETURNING "count"
    )
    SELECT k."id", k."prefix", k."scopes", k."rateLimitPerMinute", k."lastUsedAt", (SELECT "count" FROM w) AS "count" FROM k`);
  const row = rows[0];
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - new Date(row.lastUsedAt).getTime() > 60_000)
    await db.apiKey.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - 60_000) } }] },
      data: { lastUsedAt: now },
    });
  const count = Number(row.count ?? 0);
  if (count === 1 && Math.random() < 0.05) await db.apiRateWindow.deleteMany({ where: { windowStart: { lt: new Date(windowStart.getTime() - 10 * 60_000) } } });
  const key: ApiPrincipal = { id: row.id, prefix: row.prefix, scopes: row.scopes as Scope[], rateLimitPerMinute: row.rateLimitPerMinute };
  if (count <= key.rateLimitPerMinute) return { key, limit: { ok: true } };
  return { key, limit: { ok: false, retryAfter: Math.max(1, Math.ceil((windowStart.getTime() + 60_000 - now.getTime()) / 1000)) } };
}
