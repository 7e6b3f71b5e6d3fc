import "server-only";
import { createHash } from "node:crypto";
import { db } from "@/lib/db/client";
import type { OAuthToken, TokenStore } from "./daraja";

// The Daraja OAuth token, shared by every instance through one database row (keyed by the API
// base URL and consumer key). Reading is a plain SELECT. When the token is missing or close to
// expiry, the first caller takes the row lock (SELECT … FOR UPDATE), checks again, and only
// then asks Daraja; everyone who queued behind the lock finds the fresh token on their
// re-check. Inside one process, concurrent callers also share one in-flight refresh, so a
// burst of requests costs one database lock wait, not one per request.
// The row holds a bearer token valid for about an hour; the consumer secret never leaves env.

export function tokenRowId(baseUrl: string, consumerKey: string): string {
  return `daraja:${createHash("sha256").update(`${baseUrl}\u0000${consumerKey}`).digest("hex").slice(0, 32)}`;
}

export function dbTokenStore(id: string, now: () => number = Date.now): TokenStore {
  let memo: OAuthToken | null = null;
  let inflight: Promise<OAuthToken> | null = null;
  const fresh = (t: OAuthToken | null, minValidMs: number) => t !== null && t.accessToken !== "" && t.expiresAt.getTime() - now() > minValidMs;

  const lockedRefresh = (refresh: () => Promise<OAuthToken>, minValidMs: number) =>
    db.$transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO "MpesaToken" ("id", "accessToken", "expiresAt", "updatedAt") VALUES (${id}, '', to_timestamp(0), now()) ON CONFLICT ("id") DO NOTHING`;
        const [row] = await tx.$queryRaw<
          { accessToken: string; expiresAt: Date }[]
        >`SELECT "accessToken", "expiresAt" FROM "MpesaToken" WHERE "id" = ${id} FOR UPDATE`;
        const current = row ? { accessToken: row.accessToken, expiresAt: new Date(row.expiresAt) } : null;
        if (fresh(current, minValidMs)) return current!;
        const next = await refresh();
        await tx.mpesaToken.update({ where: { id }, data: { accessToken: next.accessToken, expiresAt: next.expiresAt } });
        return next;
      },
      // Waiters hold a connection while queued on the lock; give them time.
      { maxWait: 15_000, timeout: 45_000 },
    );

  return {
    async get(refresh, minValidMs) {
      if (fresh(memo, minValidMs)) return memo!.accessToken;
      const row = await db.mpesaToken.findUnique({ where: { id }, select: { accessToken: true, expiresAt: true } });
      if (row && fresh(row, minValidMs)) {
        memo = row;
        return row.accessToken;
      }
      inflight ??= lockedRefresh(refresh, minValidMs).finally(() => {
        inflight = null;
      });
      memo = await inflight;
      return memo.accessToken;
    },
    async invalidate(token) {
      if (memo?.accessToken === token) memo = null;
      await db.mpesaToken.updateMany({ where: { id, accessToken: token }, data: { expiresAt: new Date(0) } });
    },
  };
}
