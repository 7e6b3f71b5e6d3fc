import "server-only";
import { CREDITED_STATUSES } from "@/lib/checkouts/statuses";
import { db, Prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

// Reorg safety after crediting, the reconciler's half (the rail's half finds the tip and any
// reorg, lib/rails/bitcoin/tip-watch.ts). A credited output is looked at again
//   - when it reaches each of RECHECK_DEPTHS confirmations (once per depth per block: a reorg
//     deeper than the confirmations required is most likely in the first few blocks, and one
//     beyond 100 is taken as final), and
//   - at once when the tip's ancestry changed, if its block is within the re-check window;
// besides the slow after-credit pace (AFTER_CREDIT_POLICY), for WATCH_AFTER_CLOSE_DAYS.
// Each re-check is one observation (one chain call) through advanceCheckout, so a reorg after
// crediting is flagged within a sweep of the block that shows it.

/** Confirmations at which a credited output is re-checked. The last one ends the re-checks. */
export const RECHECK_DEPTHS = [6, 100] as const;
const LAST = RECHECK_DEPTHS[RECHECK_DEPTHS.length - 1]!;

/** Most re-checks one sweep takes on (the rest wait for the next sweep). */
const RECHECK_LIMIT = 500;

const credited = Prisma.sql`c."status"::text IN (${Prisma.join(CREDITED_STATUSES)}) AND c."address" IS NOT NULL`;
const watched = (now: Date) => Prisma.sql`c."creditedAt" > ${now}::timestamp - ${`${env().WATCH_AFTER_CLOSE_DAYS} days`}::interval`;
const live = Prisma.sql`o."goneAt" IS NULL AND o."blockHeight" IS NOT NULL`;

/** Some credited output of the rail may still need a re-check (so the rail's tip is worth watching). */
export async function recheckHorizon(rail: string, now: Date): Promise<boolean> {
  const rows = await db.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM "ChainOutput" o JOIN "Checkout" c ON c."id" = o."checkoutId"
    WHERE c."rail" = ${rail} AND ${credited} AND ${watched(now)} AND ${live} AND o."recheckedDepth" < ${LAST}
    LIMIT 1`;
  return rows.length > 0;
}

/** Credited checkouts with an output due for a re-check at `tipHeight` (a depth reached, or a block at or above `reorgFrom`). */
export async function rechecksDue(rail: string, tipHeight: number, reorgFrom: number | null, now: Date): Promise<string[]> {
  const depth = Prisma.sql`(${tipHeight}::int - o."blockHeight" + 1)`;
  const reached = RECHECK_DEPTHS.map((d) => Prisma.sql`(${depth} >= ${d}::int AND o."recheckedDepth" < ${d}::int)`);
  const reorged = reorgFrom === null ? Prisma.empty : Prisma.sql`OR o."blockHeight" >= ${reorgFrom}::int`;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT c."id" FROM "ChainOutput" o JOIN "Checkout" c ON c."id" = o."checkoutId"
    WHERE c."rail" = ${rail} AND ${credited} AND ${watched(now)} AND ${live}
      AND (${Prisma.join(reached, " OR ")} ${reorged})
    LIMIT ${RECHECK_LIMIT}`;
  return rows.map((r) => r.id);
}

/** After a successful look: each live output of these checkouts is re-checked down to the deepest depth it reached. */
export async function markRechecked(checkoutIds: string[], tipHeight: number): Promise<void> {
  if (!checkoutIds.length) return;
  const depth = Prisma.sql`(${tipHeight}::int - "blockHeight" + 1)`;
  const cases = [...RECHECK_DEPTHS].reverse().map((d) => Prisma.sql`WHEN ${depth} >= ${d}::int THEN ${d}::int`);
  await db.$executeRaw`
    UPDATE "ChainOutput" SET "recheckedDepth" = GREATEST("recheckedDepth", CASE ${Prisma.join(cases, " ")} ELSE 0 END)
    WHERE "checkoutId" IN (${Prisma.join(checkoutIds)}) AND "goneAt" IS NULL AND "blockHeight" IS NOT NULL`;
}
