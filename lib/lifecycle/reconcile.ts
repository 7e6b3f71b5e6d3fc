import "server-only";
import { AFTER_CREDIT_POLICY, CREDITED_STATUSES, creditableWhere, OPEN_STATUSES } from "@/lib/checkouts/statuses";
import { db, Prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { pruneInbox } from "@/lib/inbox/inbox";
import { log } from "@/lib/log";
import { resendOmnisendEvents } from "@/lib/omnisend/events";
import { resendUnsent } from "@/lib/outbox/outbox";
import { RAILS } from "@/lib/rails/registry";
import type { SweepState } from "@/lib/rails/types";
import { settleRefunds } from "@/lib/refunds/refunds";
import { singleton } from "@/lib/singleton";
import { type AdvanceResult, advanceCheckout } from "./advance";
import { markRechecked, recheckHorizon, rechecksDue } from "./rechecks";

// The reconciler: one sweep over everything that should have moved and did not.
//   - open checkouts (and expired ones still in their late-payment window) whose last
//     observation is stale by an adaptive policy: young checkouts often, older ones less;
//     overdue ones get their expiry decided by that same observation;
//   - credited checkouts with an address, for WATCH_AFTER_CLOSE_DAYS, at a slow pace
//     (AFTER_CREDIT_POLICY): money paid after crediting, reorgs of the credited payment; and
//     sooner when a credited output reaches 6 or 100 confirmations or the tip's ancestry
//     changed (a reorg: rechecks.ts);
//   - paid but uncredited → credit; credited but unforwarded (hot mode) → forward;
//     credited but unnotified → notify;
//   - Bitcoin refunds of money: claimed → paid from the hot wallet, stored payouts re-sent,
//     broadcast ones (hot or recorded by an admin) → confirmed (lib/refunds);
//   - outbox events a crash or an outage left unsent → re-sent;
//   - about once an hour, webhook inbox rows past WEBHOOK_RETENTION_DAYS → pruned.
// Work runs with bounded concurrency through advanceCheckout, the same function every other
// trigger uses. A PostgreSQL advisory lock keeps two sweeps (two instances, a slow cron run
// and the next) from ever running at once; the loser returns { skipped: true }.

export interface ReconcileCounts {
  skipped: boolean;
  observed: number;
  paid: number;
  expired: number;
  credited: number;
  forwarded: number;
  notified: number;
  eventsResent: number;
  errors: number;
  chainCalls: number;
  ms: number;
}

export interface ReconcileOptions {
  now?: Date;
  concurrency?: number;
  /** Most checkouts observed in one sweep (the rest wait for the next). */
  limit?: number;
}

/**
 * How stale an observation may get, by checkout age: a fresh checkout (a buyer is probably
 * paying right now) is looked at every few seconds, an old one rarely. [max age, every].
 */
export const OBSERVE_POLICY: readonly (readonly [maxAgeMs: number, everyMs: number])[] = [
  [10 * 60_000, 5_000],
  [60 * 60_000, 30_000],
  [6 * 3_600_000, 120_000],
  [Number.POSITIVE_INFINITY, 600_000],
];

export function observeEveryMs(ageMs: number): number {
  return OBSERVE_POLICY.find(([maxAge]) => ageMs < maxAge)![1];
}

/** Arbitrary but fixed: the advisory lock key of the sweep ("satchel-reconcile"). */
export const RECONCILE_LOCK_KEY = 0x5a7c4e1;

const sweepState = () => singleton("reconcile-sweep", () => ({ running: false }));

export async function reconcile(opts: ReconcileOptions = {}): Promise<ReconcileCounts> {
  const g = sweepState();
  // Never two at once in this process (the driver's timer, a manual run)…
  if (g.running) return emptyCounts(true);
  g.running = true;
  try {
    // …nor across processes: the embedded database is single-process (its folder lock), so
    // only PostgreSQL needs the advisory lock, held by a transaction for the sweep's duration.
    if (env().embedded) return await sweep(opts);
    let result: ReconcileCounts | null = null;
    await db.$transaction(
      async (tx) => {
        const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RECONCILE_LOCK_KEY}::bigint) AS locked`;
        if (!row?.locked) return;
        const startedAt = Date.now();
        const counts = await sweep(opts);
        result = counts;
        // One line per sweep that held the lock, with its span: an operator (and
        // e2e/two-instances.spec.ts) can see which instance swept when, and that no two overlapped.
        log.debug({ startedAt, endedAt: Date.now(), credited: counts.credited }, "reconcile: sweep held the lock");
      },
      { timeout: 15 * 60_000, maxWait: 10_000 },
    );
    return result ?? emptyCounts(true);
  } finally {
    g.running = false;
  }
}

function emptyCounts(skipped: boolean): ReconcileCounts {
  return { skipped, observed: 0, paid: 0, expired: 0, credited: 0, forwarded: 0, notified: 0, eventsResent: 0, errors: 0, chainCalls: 0, ms: 0 };
}

/** The sweep itself, without the lock (the bench and tests call reconcile()). */
async function sweep(opts: ReconcileOptions): Promise<ReconcileCounts> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const counts = emptyCounts(false);
  const concurrency = opts.concurrency ?? 8;

  const stale = await staleCheckouts(now, opts.limit ?? 5_000);
  const settling = await settlingCheckouts(now);

  // Once per sweep per rail: shared state (Bitcoin: one tip height instead of one per checkout,
  // and whether the chain reorganised). A rail with nothing stale is still asked when credited
  // outputs of it may need a re-check (rechecks.ts); it answers null unless its own check is due.
  // A rail whose backend is down waits for the next sweep; the others go on.
  const shared = new Map<string, SweepState | null>();
  const rechecks: { id: string; rail: string }[] = [];
  for (const rail of RAILS) {
    if (!rail.prepareSweep) continue;
    const hasStale = stale.some((c) => c.rail === rail.id);
    if (!hasStale && !(rail.enabled() && (await recheckHorizon(rail.id, now)))) continue;
    if (!rail.enabled()) {
      shared.set(rail.id, null);
      continue;
    }
    try {
      const p = await rail.prepareSweep({ now, onlyIfDue: !hasStale });
      if (!p) continue;
      counts.chainCalls += p.chainCalls;
      shared.set(rail.id, p);
      if (p.tipHeight !== undefined)
        for (const id of await rechecksDue(rail.id, p.tipHeight, p.recheckFromHeight ?? null, now)) rechecks.push({ id, rail: rail.id });
    } catch (err) {
      log.warn({ err: (err as Error).message, rail: rail.id }, "reconcile: the rail's backend is unavailable; its open checkouts wait for the next sweep");
      counts.errors++;
      shared.set(rail.id, null);
    }
  }
  const railOf = new Map([...stale, ...rechecks].map((c) => [c.id, c.rail]));
  const toObserve = [...new Set([...stale.filter((c) => shared.get(c.rail) !== null).map((c) => c.id), ...rechecks.map((c) => c.id)])];
  const observing = new Set(toObserve);
  const rechecking = new Set(rechecks.map((c) => c.id));
  const rechecked: string[] = [];
  const settleOnly = settling.filter((id) => !observing.has(id));

  const tally = (r: AdvanceResult) => {
    if (r.observed) counts.observed++;
    counts.chainCalls += r.chainCalls;
    for (const d of r.did) if (d in counts && d !== "observed") (counts as unknown as Record<string, number>)[d]!++;
    counts.errors += r.errors.length;
    for (const e of r.errors) log.warn({ checkoutId: r.checkoutId, stage: e.stage, err: e.message }, "reconcile: step failed; retried next sweep");
  };
  await pool(toObserve, concurrency, async (id) => {
    const r = await advanceCheckout(id, { now, tipHeight: shared.get(railOf.get(id)!)?.tipHeight });
    tally(r);
    if (rechecking.has(id) && r.observed && !r.errors.some((e) => e.stage === "observe")) rechecked.push(id);
  });
  // Re-checks that looked: not again at the depths reached (a failed look is retried next sweep).
  for (const rail of new Set(rechecks.map((c) => c.rail))) {
    const tip = shared.get(rail)?.tipHeight;
    if (tip !== undefined)
      await markRechecked(
        rechecked.filter((id) => railOf.get(id) === rail),
        tip,
      );
  }
  await pool(settleOnly, concurrency, async (id) => tally(await advanceCheckout(id, { now, skipObserve: true })));

  // Bitcoin refunds of money: claimed ones paid (hot wallet), stored payouts re-sent, broadcast ones watched until they confirm.
  try {
    const refunds = await settleRefunds({ now });
    counts.errors += refunds.errors;
  } catch (err) {
    log.warn({ err: (err as Error).message }, "reconcile: refunds step failed; retried next sweep");
    counts.errors++;
  }

  const events = await resendUnsent({ now });
  counts.eventsResent = events.resent;
  counts.errors += events.failed;
  // Omnisend events that failed (a welcome at sign-up has no step to retry it).
  try {
    const omnisend = await resendOmnisendEvents(now);
    counts.errors += omnisend.failed;
  } catch (err) {
    log.warn({ err: (err as Error).message }, "reconcile: re-sending Omnisend events failed; retried next sweep");
    counts.errors++;
  }
  await pruneHourly(now);
  counts.ms = Math.round(performance.now() - started);
  return counts;
}

const PRUNE_EVERY_MS = 3_600_000;
const pruneState = () => singleton("reconcile-prune", () => ({ last: 0 }));

/** The inbox's retention, at most once an hour per process (a failure waits for the next hour). */
async function pruneHourly(now: Date): Promise<void> {
  const state = pruneState();
  if (now.getTime() - state.last < PRUNE_EVERY_MS) return;
  state.last = now.getTime();
  try {
    const pruned = await pruneInbox(now);
    if (pruned.rejected || pruned.finished) log.info({ ...pruned }, "webhook inbox: old rows pruned");
  } catch (err) {
    log.warn({ err: (err as Error).message }, "webhook inbox: pruning failed; retried in an hour");
  }
}

/** Watched checkouts whose last observation is older than the policy allows for their age. */
async function staleCheckouts(now: Date, limit: number): Promise<{ id: string; rail: string }[]> {
  const cases = OBSERVE_POLICY.filter(([maxAge]) => Number.isFinite(maxAge)).map(
    ([maxAge, every]) => Prisma.sql`WHEN ${now}::timestamp - "createdAt" < ${`${maxAge} milliseconds`}::interval THEN ${`${every} milliseconds`}::interval`,
  );
  const last = OBSERVE_POLICY[OBSERVE_POLICY.length - 1]![1];
  // Credited addresses stay watched for WATCH_AFTER_CLOSE_DAYS at the slow after-credit pace.
  const days = env().WATCH_AFTER_CLOSE_DAYS;
  const afterCases = AFTER_CREDIT_POLICY.filter(([maxSince]) => Number.isFinite(maxSince)).map(
    ([maxSince, every]) =>
      Prisma.sql`WHEN ${now}::timestamp - "creditedAt" < ${`${maxSince} milliseconds`}::interval THEN ${`${every} milliseconds`}::interval`,
  );
  const afterLast = AFTER_CREDIT_POLICY[AFTER_CREDIT_POLICY.length - 1]![1];
  return db.$queryRaw<{ id: string; rail: string }[]>`
    SELECT "id", "rail"::text AS "rail" FROM "Checkout"
    WHERE (("status"::text IN (${Prisma.join(OPEN_STATUSES)}) OR ("status" = 'expired' AND "monitorUntil" > ${now}))
        AND ("lastObservedAt" IS NULL OR "lastObservedAt" <= ${now}::timestamp - CASE ${Prisma.join(cases, " ")} ELSE ${`${last} milliseconds`}::interval END))
      OR ("status"::text IN (${Prisma.join(CREDITED_STATUSES)}) AND "address" IS NOT NULL
        AND "creditedAt" > ${now}::timestamp - ${`${days} days`}::interval
        AND ("lastObservedAt" IS NULL OR "lastObservedAt" <= ${now}::timestamp - CASE ${Prisma.join(afterCases, " ")} ELSE ${`${afterLast} milliseconds`}::interval END))
    ORDER BY "lastObservedAt" ASC NULLS FIRST
    LIMIT ${limit}`;
}

/** Creditable but uncredited (the crediting rule), credited but its after-credit work not done, or not yet notified. */
async function settlingCheckouts(now: Date): Promise<string[]> {
  const afterCredit = RAILS.filter((r) => r.afterCredit?.applies()).map((r) => r.id);
  const rows = await db.checkout.findMany({
    where: {
      OR: [
        creditableWhere(),
        ...(afterCredit.length ? [{ status: "credited" as const, rail: { in: afterCredit } }] : []),
        { status: { in: [...CREDITED_STATUSES] }, notifiedAt: null },
      ],
      updatedAt: { lt: now },
    },
    select: { id: true },
    orderBy: { updatedAt: "asc" },
    take: 1_000,
  });
  return rows.map((r) => r.id);
}

/** Runs fn over items with at most `size` in flight. */
async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        log.warn({ err: (err as Error).message }, "reconcile: item failed");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
