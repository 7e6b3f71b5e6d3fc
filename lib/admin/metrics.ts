import "server-only";
import { railAvailability } from "@/lib/availability";
import { db, Prisma } from "@/lib/db/client";
import type { CheckoutStatus } from "@/lib/db/generated/enums";
import { checkHealth } from "@/lib/health";
import { chainBackendLabel, chainClient } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { RAILS } from "@/lib/rails/registry";

// The admin overview's figures, straight from the database (lib/admin/metrics.test.ts seeds
// rows and checks each number). Time-based figures cover [from, to); days are UTC.

export interface MetricsRange {
  from: Date;
  to: Date;
}

export interface RevenuePoint {
  /** YYYY-MM-DD (UTC) of creditedAt. */
  day: string;
  rail: string;
  currency: string;
  /** Σ priceMinor of checkouts credited that day (minor units). */
  amountMinor: number;
  count: number;
}

export interface Metrics {
  range: { from: string; to: string };
  revenue: RevenuePoint[];
  /** Checkouts created in the range, by current status. */
  byStatus: Partial<Record<CheckoutStatus, number>>;
  conversion: { created: number; credited: number /** 0..1, null when nothing was created. */; rate: number | null };
  /** Median seconds from payment seen to credited, for checkouts credited in the range. */
  medianSeenToCreditedSeconds: number | null;
  /** Needing an admin now, whatever their age. */
  openExceptions: number;
}

/** The last `days` whole UTC days up to now (today included). */
export function lastDays(days: number, now = new Date()): MetricsRange {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { from: new Date(to.getTime() - days * 86_400_000), to };
}

/**
 * An open checkout whose only payment left the chain (replaced, dropped from the mempool,
 * reorged out): the buyer was told, and an admin sees it now rather than at expiry, since
 * money may have left the buyer's wallet. Paying again makes it an ordinary checkout again.
 */
export const LOST_WHILE_OPEN_SQL = Prisma.sql`(c."status" IN ('pending', 'confirming') AND c."exception" = 'invalid')`;

/** Money a refund gave back (lib/refunds): a Bitcoin payout broadcast or recorded, an external refund recorded. */
const REFUNDED_SQL = Prisma.sql`(SELECT COALESCE(SUM(f."amount"), 0) FROM "Refund" f
  WHERE f."checkoutId" = c."id" AND f."status" IN ('broadcast', 'confirmed', 'recorded'))`;

/**
 * An overpayment: the package was credited (or is about to be), and the excess beyond the
 * price is the buyer's money to give back from the payment page — until refunds gave back as
 * much (a refund still waiting for the buyer's claim has not: the reconciliation agrees).
 */
export const EXCESS_TO_RETURN_SQL = Prisma.sql`(c."status" IN ('paid', 'credited', 'forwarded') AND c."exception" = 'overpaid'
  AND ${REFUNDED_SQL} < c."receivedAmount" - c."expectedAmount")`;

/**
 * Checkouts an admin must act on: flagged (needsAttention: background work gave up, money
 * paid after crediting, a credited payment reorged away — also after an earlier resolution),
 * or an exception left money neither credited nor marked — settled statuses only, since an
 * open checkout can still be paid up — and no admin resolved it yet; an open checkout whose
 * payment left the chain; and the excess of an overpayment.
 */
export const NEEDS_ACTION_SQL = Prisma.sql`(
  c."needsAttention"
  OR (NOT EXISTS (SELECT 1 FROM "CheckoutResolution" r WHERE r."checkoutId" = c."id")
      AND (c."exception" IS NOT NULL AND c."status" IN ('expired', 'failed')
           OR (c."status" = 'paid' AND c."exception" IN ('underpaid', 'paid_late', 'invalid'))))
  OR ${LOST_WHILE_OPEN_SQL}
  OR ${EXCESS_TO_RETURN_SQL}
)`;

export async function metrics(range: MetricsRange): Promise<Metrics> {
  const { from, to } = range;
  const [revenue, statuses, median, exceptions] = await Promise.all([
    db.$queryRaw<{ day: string; rail: string; currency: string; amount: bigint; count: bigint }[]>`
      SELECT to_char(date_trunc('day', "creditedAt"), 'YYYY-MM-DD') AS day, "rail", "currency",
             SUM("priceMinor")::bigint AS amount, COUNT(*)::bigint AS count
      FROM "Checkout"
      WHERE "status" IN ('credited', 'forwarded') AND "creditedAt" >= ${from} AND "creditedAt" < ${to}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    db.$queryRaw<{ status: CheckoutStatus; count: bigint }[]>`
      SELECT "status", COUNT(*)::bigint AS count FROM "Checkout"
      WHERE "createdAt" >= ${from} AND "createdAt" < ${to} GROUP BY 1`,
    db.$queryRaw<{ median: number | null }[]>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("creditedAt" - "seenAt")))::float8 AS median
      FROM "Checkout"
      WHERE "creditedAt" >= ${from} AND "creditedAt" < ${to} AND "seenAt" IS NOT NULL AND "status" IN ('credited', 'forwarded')`,
    db.$queryRaw<{ count: bigint }[]>`SELECT COUNT(*)::bigint AS count FROM "Checkout" c WHERE ${NEEDS_ACTION_SQL}`,
  ]);
  const byStatus: Partial<Record<CheckoutStatus, number>> = {};
  for (const s of statuses) byStatus[s.status] = Number(s.count);
  const created = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const credited = (byStatus.credited ?? 0) + (byStatus.forwarded ?? 0);
  const m = median[0]?.median;
  return {
    range: { from: from.toISOString(), to: to.toISOString() },
    revenue: revenue.map((r) => ({ day: r.day, rail: r.rail, currency: r.currency, amountMinor: Number(r.amount), count: Number(r.count) })),
    byStatus,
    conversion: { created, credited, rate: created ? credited / created : null },
    medianSeenToCreditedSeconds: m === null || m === undefined ? null : Math.round(Number(m)),
    openExceptions: Number(exceptions[0]?.count ?? 0),
  };
}

// ── Address gap ──

/** Wallets (Electrum, Sparrow, BDK) stop scanning after this many unused addresses in a row. */
export const GAP_LIMIT = 20;
export const GAP_WARN_AT = 15;

export interface GapStatus {
  walletKey: string;
  /** Addresses handed out so far (the cursor). */
  handedOut: number;
  /** Highest index whose address received funds, or null if none did. */
  lastFundedIndex: number | null;
  /** Addresses handed out after the last funded one. */
  unused: number;
  limit: number;
  warn: boolean;
}

/**
 * Unused addresses of one derived wallet: those handed out after the last one that received
 * funds. Checkouts do not record their wallet, so a candidate index counts only if its
 * address is what this wallet derives at that index (`derive`): another key's checkouts at
 * the same indexes are ignored.
 */
export async function gapStatus(walletKey: string, derive: (index: number) => string): Promise<GapStatus> {
  const cursor = await db.addressCursor.findUnique({ where: { walletKey }, select: { nextIndex: true } });
  const handedOut = cursor?.nextIndex ?? 0;
  let lastFundedIndex: number | null = null;
  const batch = 50;
  for (let skip = 0; lastFundedIndex === null; skip += batch) {
    const funded = await db.$queryRaw<{ derivationIndex: number; address: string }[]>`
      SELECT c."derivationIndex", c."address" FROM "Checkout" c
      WHERE c."rail" = 'btc' AND c."derivationIndex" IS NOT NULL AND c."derivationIndex" < ${handedOut}
        AND (c."receivedAmount" > 0 OR EXISTS (SELECT 1 FROM "ChainOutput" o WHERE o."checkoutId" = c."id"))
      ORDER BY c."derivationIndex" DESC LIMIT ${batch} OFFSET ${skip}`;
    for (const f of funded) {
      if (derive(f.derivationIndex) === f.address) {
        lastFundedIndex = f.derivationIndex;
        break;
      }
    }
    if (funded.length < batch) break;
  }
  const unused = lastFundedIndex === null ? handedOut : handedOut - 1 - lastFundedIndex;
  return { walletKey, handedOut, lastFundedIndex, unused, limit: GAP_LIMIT, warn: unused >= GAP_WARN_AT };
}

// ── Configuration and health ──

export interface SystemStatus {
  /** up: false while the rail's backend is down (buyers cannot pick it); reason says why. */
  rails: { rail: string; label: string; detail: string; up: boolean; reason: string | null }[];
  database: { ok: boolean; mode: string; latencyMs?: number };
  chain: { ok: boolean; tipHeight?: number; backend: string; error?: string; latencyMs?: number } | null;
  gap: GapStatus | null;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export async function systemStatus(opts: { chainTimeoutMs?: number } = {}): Promise<SystemStatus> {
  const btc = bitcoinSettings();
  const enabled = RAILS.filter((r) => r.enabled());
  const availability = await Promise.all(enabled.map((r) => railAvailability(r)));
  const rails = enabled.map((r, i) => ({
    rail: r.id,
    up: availability[i]!.up,
    reason: availability[i]!.reason,
    label: r.label,
    detail:
      r.id === "btc"
        ? `${btc.network}, ${btc.source} addresses, ${btc.confirmations} confirmations${btc.demoKey ? ", demo key" : ""}`
        : r.sandbox()
          ? "local sandbox (not real money)"
          : "configured",
  }));
  const health = await checkHealth();
  let chain: SystemStatus["chain"] = null;
  if (btc.enabled) {
    const backend = chainBackendLabel(btc);
    const started = performance.now();
    try {
      const tipHeight = await withTimeout(
        chainClient().then((c) => c.tipHeight()),
        opts.chainTimeoutMs ?? 2_500,
      );
      chain = { ok: true, tipHeight, backend, latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      chain = { ok: false, backend, error: err instanceof Error ? err.message.slice(0, 200) : "unreachable" };
    }
  }
  const derive = btc.wallet ? (i: number) => btc.wallet!.receiveAddress(i) : btc.hot ? (i: number) => btc.hot!.address(i) : null;
  const gap = btc.enabled && btc.walletKey && derive ? await gapStatus(btc.walletKey, derive) : null;
  return { rails, database: { ok: health.database.ok, mode: health.database.mode, latencyMs: health.database.latencyMs }, chain, gap };
}

export interface ExceptionRow {
  id: string;
  email: string;
  rail: string;
  status: CheckoutStatus;
  exception: string | null;
  needsAttention: boolean;
  attentionReason: string | null;
  receivedAmount: string;
  expectedAmount: string;
  amountUnit: string;
  /** Received beyond the amount due on a paid or credited checkout (the buyer's money to give back), else null. */
  excess: string | null;
  /** A refund of money was created but has not given anything back yet (waiting for the buyer's claim, or for its payout). */
  refundPending: boolean;
  createdAt: Date;
}

/** The oldest checkouts needing action, for the overview's worklist. */
export async function openExceptions(limit = 10): Promise<ExceptionRow[]> {
  const rows = await db.$queryRaw<(Omit<ExceptionRow, "receivedAmount" | "expectedAmount" | "excess"> & { receivedAmount: bigint; expectedAmount: bigint })[]>`
    SELECT c."id", u."email", c."rail", c."status", c."exception", c."needsAttention", c."attentionReason",
           c."receivedAmount", c."expectedAmount", c."amountUnit", c."createdAt",
           EXISTS (SELECT 1 FROM "Refund" f WHERE f."checkoutId" = c."id" AND f."status" IN ('awaiting_claim', 'claimed', 'signed')) AS "refundPending"
    FROM "Checkout" c JOIN "User" u ON u."id" = c."userId"
    WHERE ${NEEDS_ACTION_SQL}
    ORDER BY c."createdAt" ASC LIMIT ${limit}`;
  return rows.map((r) => ({
    ...r,
    receivedAmount: r.receivedAmount.toString(),
    expectedAmount: r.expectedAmount.toString(),
    excess:
      ["paid", "credited", "forwarded"].includes(r.status) && r.receivedAmount > r.expectedAmount ? (r.receivedAmount - r.expectedAmount).toString() : null,
  }));
}
