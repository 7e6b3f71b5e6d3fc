import "server-only";
import { z } from "zod";
import { creditKey } from "@/lib/checkouts/credit";
import { CREDITED_STATUSES, isCreditable, isOpen } from "@/lib/checkouts/statuses";
import { db } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { type AddressOutput, chainClient } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { csvSafe } from "./payments";

// The reconciliation report: for one period (checkouts created in [from, to)), per rail and
// unit, what the money source says was received — the chain itself for Bitcoin (every
// handed-out address asked, within RECONCILIATION_CHAIN_CALLS), the recorded provider
// confirmations for M-Pesa, NEO Bank and Interledger — against where Satchel says it went:
// credited (with its ledger entry), forwarded (hot-wallet sweeps), refunded, on an open
// exception an admin sees, still in progress (a checkout being paid or about to be credited),
// or marked by an admin (resolved invalid). Anything that fits none of these is a difference,
// listed with a link to the checkout or user. Beside it, the ledger proof: Σ entries = balance
// for every user. Read-only: computing it twice changes nothing.

export type DifferenceKind =
  /** The chain shows an output paying a handed-out address that Satchel has not recorded (or marked gone). */
  | "unrecorded_payment"
  /** Satchel counts an output the chain no longer has (a reorg or replacement not yet seen). */
  | "recorded_not_on_chain"
  /** A credited checkout without its ledger credit. */
  | "missing_ledger_entry"
  /** The ledger credit differs from the credits the checkout (or the admin's resolution) granted. */
  | "credit_amount_mismatch"
  /** A ledger credit for a checkout that is not credited (or does not exist). */
  | "credit_without_checkout"
  /** Credited with no payment behind it: no output on the chain, no provider confirmation, and no admin decision. */
  | "credited_without_payment"
  /** Money received that is neither credited, forwarded, refunded, in progress nor on an open exception. */
  | "unaccounted_money"
  /** Forwarded status without a broadcast sweep. */
  | "forward_missing"
  /** A user's balance differs from the sum of their ledger entries. */
  | "balance_mismatch";

export interface Difference {
  /** Stable across runs (kind + what + detail): the scheduled run compares sets of these. */
  key: string;
  kind: DifferenceKind;
  rail: string | null;
  checkoutId: string | null;
  userId: string | null;
  email: string | null;
  /** In `unit` (sats, KES, ILP units, credits for ledger rows). */
  amount: string | null;
  unit: string | null;
  message: string;
  /** The admin page to open. */
  href: string;
}

export interface RailTotals {
  rail: string;
  unit: string;
  /** Checkouts (and NEO Bank deposits) of the period on this rail with this unit. */
  checkouts: number;
  received: bigint;
  credited: bigint;
  /** Ledger credits written for them. */
  credits: number;
  forwarded: bigint;
  /** Fees the sweeps paid (part of forwarded). */
  forwardFees: bigint;
  refunded: bigint;
  openExceptions: bigint;
  inProgress: bigint;
  /** Resolved by an admin without crediting ("invalid"), or refunded outside Satchel. */
  marked: bigint;
  /** received − (credited + refunded + open exceptions + in progress + marked); forwarded is part of credited. */
  unaccounted: bigint;
  differences: number;
}

export interface LedgerProof {
  users: number;
  entries: number;
  /** Σ of every entry's amount. */
  entriesTotal: number;
  /** Σ of every user's cached balance. */
  balancesTotal: number;
  mismatchedUsers: number;
}

export interface ReconciliationReport {
  generatedAt: Date;
  period: { from: Date; to: Date };
  rail: string | null;
  userId: string | null;
  totals: RailTotals[];
  ledger: LedgerProof;
  differences: Difference[];
  /** Handed-out addresses the chain was not asked about (budget spent, backend down, rail off): their recorded figures stand in. */
  unchecked: { addresses: number; reason: string | null; checkoutIds: string[] };
  chainCalls: number;
}

export interface ReconciliationOptions {
  from?: Date;
  to?: Date;
  rail?: string;
  /** Only this user's checkouts, deposits and ledger. */
  userId?: string;
  now?: Date;
  /** Most chain requests the report may make (default RECONCILIATION_CHAIN_CALLS). */
  chainCalls?: number;
  concurrency?: number;
}

// ── The period (the page's picker, the CSV route and the script read it alike) ──

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date such as 2026-12-01")
  .refine((v) => {
    const t = Date.parse(`${v}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v; // not 2026-02-31
  }, "must be a real date");

export const reconciliationQuerySchema = z.object({
  from: day.optional(),
  to: day.optional(),
  rail: z.enum(["btc", "mpesa", "interledger", "neobank"]).optional(),
  user: z.string().trim().min(1).max(64).optional(),
});
export type ReconciliationQuery = z.infer<typeof reconciliationQuerySchema>;

/** Strict: an invalid parameter is a 422 naming it (the CSV route). */
export function parseReconciliationQuery(input: URLSearchParams | Record<string, string | string[] | undefined>): ReconciliationQuery {
  const raw = input instanceof URLSearchParams ? Object.fromEntries(input.entries()) : input;
  const picked = Object.fromEntries(Object.entries(raw).filter(([k, v]) => k in reconciliationQuerySchema.shape && typeof v === "string" && v !== ""));
  const parsed = reconciliationQuerySchema.safeParse(picked);
  if (!parsed.success) throw new AppError("validation_failed", "Some query parameters are not valid.", z.flattenError(parsed.error).fieldErrors);
  const q = parsed.data;
  if (q.from && q.to && q.from > q.to) throw new AppError("validation_failed", "The period's start is after its end.", { from: ["must not be after to"] });
  return q;
}

/** The options a query stands for: days are UTC and `to` is inclusive; no `from` means RECONCILIATION_DAYS before `to`. */
export function periodOf(q: ReconciliationQuery, now = new Date()): { from: Date; to: Date } {
  const to = q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) : now;
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - env().RECONCILIATION_DAYS * 86_400_000);
  return { from, to };
}

// ── The report ──

const checkoutSelect = {
  id: true,
  userId: true,
  rail: true,
  status: true,
  exception: true,
  needsAttention: true,
  credits: true,
  expectedAmount: true,
  receivedAmount: true,
  amountUnit: true,
  address: true,
  monitorUntil: true,
  createdAt: true,
  user: { select: { email: true } },
  outputs: { select: { txid: true, vout: true, sats: true, goneAt: true } },
  sweeps: { select: { amountSats: true, feeSats: true, broadcastAt: true } },
  mpesa: { select: { receiptNumber: true } },
  neobank: { select: { lastStatus: true } },
} as const;

type Row = {
  id: string;
  userId: string;
  rail: string;
  status: CheckoutStatus;
  exception: CheckoutException | null;
  needsAttention: boolean;
  credits: number;
  expectedAmount: bigint;
  receivedAmount: bigint;
  amountUnit: string;
  address: string | null;
  monitorUntil: Date;
  user: { email: string };
  outputs: { txid: string; vout: number; sats: bigint; goneAt: Date | null }[];
  sweeps: { amountSats: bigint; feeSats: bigint; broadcastAt: Date | null }[];
  mpesa: { receiptNumber: string | null } | null;
  neobank: { lastStatus: string } | null;
};

const checkoutHref = (id: string) => `/admin/payments/${id}`;
const userHref = (id: string) => `/admin/users/${id}`;
const chunks = <T>(items: T[], size = 5_000): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export async function reconciliationReport(opts: ReconciliationOptions = {}): Promise<ReconciliationReport> {
  const now = opts.now ?? new Date();
  const to = opts.to ?? now;
  const from = opts.from ?? new Date(to.getTime() - env().RECONCILIATION_DAYS * 86_400_000);
  const scope = { ...(opts.rail ? { rail: opts.rail } : {}), ...(opts.userId ? { userId: opts.userId } : {}) };

  const rows: Row[] = await db.checkout.findMany({
    where: { createdAt: { gte: from, lt: to }, ...scope },
    select: checkoutSelect,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const ids = rows.map((r) => r.id);
  const [resolutions, credits] = await Promise.all([
    Promise.all(
      chunks(ids).map((part) =>
        db.checkoutResolution.findMany({ where: { checkoutId: { in: part } }, select: { checkoutId: true, kind: true, credits: true } }),
      ),
    ),
    Promise.all(
      chunks(ids.map(creditKey)).map((part) =>
        db.ledgerEntry.findMany({ where: { idempotencyKey: { in: part } }, select: { idempotencyKey: true, amount: true } }),
      ),
    ),
  ]);
  const resolutionOf = new Map(resolutions.flat().map((r) => [r.checkoutId, r]));
  const creditOf = new Map(credits.flat().map((e) => [e.idempotencyKey, e.amount]));
  const refundedOf = await moneyRefunded(ids);

  const chain = await readChain(rows, opts.chainCalls ?? env().RECONCILIATION_CHAIN_CALLS, opts.concurrency ?? 4);

  const differences: Difference[] = [];
  const totals = new Map<string, RailTotals>();
  const totalsFor = (rail: string, unit: string): RailTotals => {
    const k = `${rail}|${unit}`;
    let t = totals.get(k);
    if (!t) {
      t = {
        rail,
        unit,
        checkouts: 0,
        received: 0n,
        credited: 0n,
        credits: 0,
        forwarded: 0n,
        forwardFees: 0n,
        refunded: 0n,
        openExceptions: 0n,
        inProgress: 0n,
        marked: 0n,
        unaccounted: 0n,
        differences: 0,
      };
      totals.set(k, t);
    }
    return t;
  };

  for (const c of rows) {
    const t = totalsFor(c.rail, c.amountUnit);
    t.checkouts++;
    const diff = (kind: DifferenceKind, detail: string, message: string, amount?: bigint | number, unit = c.amountUnit) => {
      differences.push({
        key: `${kind}:${c.id}${detail ? `:${detail}` : ""}`,
        kind,
        rail: c.rail,
        checkoutId: c.id,
        userId: c.userId,
        email: c.user.email,
        amount: amount === undefined ? null : amount.toString(),
        unit: amount === undefined ? null : unit,
        message,
        href: checkoutHref(c.id),
      });
      t.differences++;
    };

    // What the money source says was received; what Satchel never recorded is a difference of
    // its own and stays out of the buckets below (unaccounted by definition).
    let received: bigint;
    let unrecorded = 0n;
    if (c.rail === "btc") {
      const recordedLive = c.outputs.filter((o) => o.goneAt === null);
      const onChain = chain.outputs.get(c.id);
      if (onChain) {
        const recorded = new Map(c.outputs.map((o) => [`${o.txid}:${o.vout}`, o]));
        const live = new Set(onChain.map((o) => `${o.txid}:${o.vout}`));
        for (const o of onChain) {
          const r = recorded.get(`${o.txid}:${o.vout}`);
          if (!r || r.goneAt) unrecorded += o.sats;
          if (!r)
            diff(
              "unrecorded_payment",
              `${o.txid}:${o.vout}`,
              `the chain shows ${o.sats} sats to ${c.address} in ${o.txid}:${o.vout} (${o.blockHeight === null ? "unconfirmed" : `block ${o.blockHeight}`}) that Satchel has not recorded`,
              o.sats,
            );
          else if (r.goneAt)
            diff(
              "unrecorded_payment",
              `${o.txid}:${o.vout}`,
              `${o.txid}:${o.vout} (${o.sats} sats) is on the chain again, but Satchel recorded it as gone`,
              o.sats,
            );
        }
        for (const o of recordedLive)
          if (!live.has(`${o.txid}:${o.vout}`))
            diff("recorded_not_on_chain", `${o.txid}:${o.vout}`, `Satchel counts ${o.sats} sats in ${o.txid}:${o.vout}, which the chain no longer has`, o.sats);
        received = onChain.reduce((s, o) => s + o.sats, 0n);
      } else received = recordedLive.reduce((s, o) => s + o.sats, 0n);
    } else received = c.receivedAmount;
    t.received += received;
    t.unaccounted += unrecorded;

    const resolution = resolutionOf.get(c.id);
    const credited = (CREDITED_STATUSES as readonly string[]).includes(c.status);
    const entry = creditOf.get(creditKey(c.id));
    const refunded = refundedOf.get(c.id) ?? 0n;
    const flagged = !resolution && (c.exception !== null || c.needsAttention);
    let rest = received - unrecorded;
    const take = (amount: bigint) => {
      const a = amount < rest ? amount : rest;
      rest -= a;
      return a;
    };
    t.refunded += take(refunded);

    if (credited) {
      const granted = resolution?.credits ?? c.credits;
      if (granted > 0 && entry === undefined)
        diff("missing_ledger_entry", "", `credited (${c.status}) but its ledger credit ${creditKey(c.id)} is missing`, granted, "credits");
      else if (entry !== undefined && entry !== granted)
        diff("credit_amount_mismatch", "", `the ledger credited ${entry} credits, the checkout granted ${granted}`, entry - granted, "credits");
      if (entry !== undefined) t.credits += entry;
      if (!provenPaid(c, received) && !resolution && c.exception !== "reversed")
        diff(
          "credited_without_payment",
          "",
          c.rail === "btc" ? "credited, but the chain shows no payment to its address" : "credited, but no provider confirmation is recorded",
          c.expectedAmount,
        );
      t.credited += take(c.expectedAmount);
      const sweeps = c.sweeps.filter((s) => s.broadcastAt !== null);
      for (const s of sweeps) {
        t.forwarded += s.amountSats + s.feeSats;
        t.forwardFees += s.feeSats;
      }
      if (c.status === "forwarded" && sweeps.length === 0) diff("forward_missing", "", "forwarded, but no sweep was broadcast");
    } else if (entry !== undefined) {
      diff("credit_without_checkout", "", `the ledger credited ${entry} credits for it, but the checkout is ${c.status}`, entry, "credits");
      t.credits += entry;
    }

    if (rest > 0n) {
      // Still being paid, or about to be credited by the next sweep: not yet anyone's to account for.
      if (isOpen(c.status) || isCreditable(c)) t.inProgress += take(rest);
      else if (resolution?.kind === "invalid") t.marked += take(rest);
      else if (flagged) t.openExceptions += take(rest);
      else if (c.status === "expired" && c.monitorUntil > now) t.inProgress += take(rest);
      else {
        diff(
          "unaccounted_money",
          "",
          credited
            ? `${rest} ${c.amountUnit} beyond the price is neither refunded nor on an open exception`
            : `${rest} ${c.amountUnit} received on a ${c.status} checkout is neither credited, refunded nor on an open exception`,
          rest,
        );
        t.unaccounted += take(rest);
      }
    }
  }

  await neobankDeposits(from, to, opts, totalsFor, differences);
  await orphanCredits(from, to, opts, differences);
  const ledger = await ledgerProof(opts.userId, differences);

  const order = ["btc", "mpesa", "neobank", "interledger"];
  return {
    generatedAt: now,
    period: { from, to },
    rail: opts.rail ?? null,
    userId: opts.userId ?? null,
    totals: [...totals.values()].sort((a, b) => order.indexOf(a.rail) - order.indexOf(b.rail) || a.unit.localeCompare(b.unit)),
    ledger,
    differences,
    unchecked: chain.unchecked,
    chainCalls: chain.calls,
  };
}

/** A credited checkout's payment as its money source shows it. */
function provenPaid(c: Row, received: bigint): boolean {
  if (c.rail === "btc") return received > 0n;
  if (c.rail === "mpesa") return Boolean(c.mpesa?.receiptNumber) && received > 0n;
  if (c.rail === "neobank") return ["SUCCESS", "SETTLED"].includes(c.neobank?.lastStatus ?? "") && received > 0n;
  return received > 0n; // Interledger: the incoming payment's received amount on the merchant wallet
}

/**
 * Money given back to buyers, per checkout (lib/refunds): Bitcoin refunds once their payout is
 * broadcast (hot wallet) or its txid recorded (watch-only), and external refunds recorded with
 * their reference. A refund still awaiting its claim, or signed but not yet sent, has not
 * given anything back: that money stays where it was (an open exception, say). Credits taken
 * back by an admin are a ledger movement, not money, and stay out of it.
 */
async function moneyRefunded(checkoutIds: string[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (checkoutIds.length === 0) return out;
  const rows = await db.refund.groupBy({
    by: ["checkoutId"],
    where: { checkoutId: { in: checkoutIds }, status: { in: ["broadcast", "confirmed", "recorded"] } },
    _sum: { amount: true },
  });
  for (const r of rows) out.set(r.checkoutId, r._sum.amount ?? 0n);
  return out;
}

/** Every handed-out Bitcoin address of the period, asked of the chain backend within the budget. */
async function readChain(rows: Row[], budget: number, concurrency: number) {
  const btc = rows.filter((r) => r.rail === "btc" && r.address);
  const outputs = new Map<string, AddressOutput[]>();
  const unchecked = { addresses: 0, reason: null as string | null, checkoutIds: [] as string[] };
  const skip = (r: Row, reason: string) => {
    unchecked.addresses++;
    unchecked.reason ??= reason;
    if (unchecked.checkoutIds.length < 50) unchecked.checkoutIds.push(r.id);
  };
  if (btc.length === 0) return { outputs, unchecked, calls: 0 };
  const settings = bitcoinSettings();
  if (!settings.enabled) {
    for (const r of btc) skip(r, "the Bitcoin rail is not configured here (BTC_NETWORK)");
    return { outputs, unchecked, calls: 0 };
  }
  const client = await chainClient();
  const before = client.stats.requests;
  const used = () => client.stats.requests - before;
  let next = 0;
  const worker = async () => {
    while (next < btc.length) {
      const r = btc[next++]!;
      if (used() >= budget) {
        skip(r, `the chain-call budget (RECONCILIATION_CHAIN_CALLS=${budget}) was spent`);
        continue;
      }
      try {
        outputs.set(r.id, await client.addressOutputs(r.address!));
      } catch (err) {
        skip(r, `the chain backend did not answer: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, btc.length) }, worker));
  return { outputs, unchecked, calls: used() };
}

/** NEO Bank deposits that came without a checkout: open ones are on the worklist, credited ones have their ledger entry. */
async function neobankDeposits(
  from: Date,
  to: Date,
  opts: ReconciliationOptions,
  totalsFor: (rail: string, unit: string) => RailTotals,
  differences: Difference[],
): Promise<void> {
  if (opts.rail && opts.rail !== "neobank") return;
  const deposits = await db.neobankDeposit.findMany({
    where: { createdAt: { gte: from, lt: to }, ...(opts.userId ? { userId: opts.userId } : {}) },
    select: { id: true, userId: true, amountMinor: true, currency: true, state: true, credits: true, user: { select: { email: true } } },
  });
  if (deposits.length === 0) return;
  const keys = deposits.map((d) => `neobank-deposit:${d.id}:credit`);
  const entries = await db.ledgerEntry.findMany({ where: { idempotencyKey: { in: keys } }, select: { idempotencyKey: true, amount: true } });
  const entryOf = new Map(entries.map((e) => [e.idempotencyKey, e.amount]));
  for (const d of deposits) {
    const t = totalsFor("neobank", d.currency);
    t.checkouts++;
    t.received += d.amountMinor;
    const entry = entryOf.get(`neobank-deposit:${d.id}:credit`);
    if (entry !== undefined) t.credits += entry;
    if (d.state === "open") t.openExceptions += d.amountMinor;
    else if (d.state === "refunded") t.marked += d.amountMinor;
    else t.credited += d.amountMinor;
    if (d.state === "credited" && entry !== (d.credits ?? 0)) {
      differences.push({
        key: `missing_ledger_entry:neobank-deposit:${d.id}`,
        kind: entry === undefined ? "missing_ledger_entry" : "credit_amount_mismatch",
        rail: "neobank",
        checkoutId: null,
        userId: d.userId,
        email: d.user?.email ?? null,
        amount: String(d.credits ?? 0),
        unit: "credits",
        message: `NEO Bank deposit ${d.id} is credited (${d.credits} credits) but its ledger entry ${entry === undefined ? "is missing" : `says ${entry}`}`,
        href: d.userId ? userHref(d.userId) : "/admin",
      });
      t.differences++;
    }
  }
}

/** Ledger credits of the period naming a checkout that does not exist (deleted, or a key typed by hand). */
async function orphanCredits(from: Date, to: Date, opts: ReconciliationOptions, differences: Difference[]): Promise<void> {
  if (opts.rail) return;
  const rows = await db.$queryRaw<{ id: string; userId: string; email: string; amount: number; idempotencyKey: string }[]>`
    SELECT e."id", e."userId", u."email", e."amount", e."idempotencyKey"
    FROM "LedgerEntry" e JOIN "User" u ON u."id" = e."userId"
    WHERE e."idempotencyKey" LIKE 'checkout:%:credit' AND e."createdAt" >= ${from} AND e."createdAt" < ${to}
      AND (${opts.userId ?? null}::text IS NULL OR e."userId" = ${opts.userId ?? null})
      AND NOT EXISTS (SELECT 1 FROM "Checkout" c WHERE c."id" = split_part(e."idempotencyKey", ':', 2))`;
  for (const r of rows)
    differences.push({
      key: `credit_without_checkout:${r.idempotencyKey}`,
      kind: "credit_without_checkout",
      rail: null,
      checkoutId: null,
      userId: r.userId,
      email: r.email,
      amount: String(r.amount),
      unit: "credits",
      message: `ledger entry ${r.id} (${r.idempotencyKey}) credits ${r.amount} for a checkout that does not exist`,
      href: userHref(r.userId),
    });
}

/** Σ entries = balance for every user (or the one in scope), read in one statement so in-flight movements cannot skew it. */
async function ledgerProof(userId: string | undefined, differences: Difference[]): Promise<LedgerProof> {
  const rows = await db.$queryRaw<{ id: string; email: string; balance: number; total: bigint; entries: bigint }[]>`
    SELECT u."id", u."email", u."balance", COALESCE(SUM(e."amount"), 0)::bigint AS total, COUNT(e."id")::bigint AS entries
    FROM "User" u LEFT JOIN "LedgerEntry" e ON e."userId" = u."id"
    WHERE (${userId ?? null}::text IS NULL OR u."id" = ${userId ?? null})
    GROUP BY u."id"`;
  const proof: LedgerProof = { users: rows.length, entries: 0, entriesTotal: 0, balancesTotal: 0, mismatchedUsers: 0 };
  for (const r of rows) {
    const total = Number(r.total);
    proof.entries += Number(r.entries);
    proof.entriesTotal += total;
    proof.balancesTotal += r.balance;
    if (total === r.balance) continue;
    proof.mismatchedUsers++;
    differences.push({
      key: `balance_mismatch:${r.id}`,
      kind: "balance_mismatch",
      rail: null,
      checkoutId: null,
      userId: r.id,
      email: r.email,
      amount: String(r.balance - total),
      unit: "credits",
      message: `balance ${r.balance} but Σ ledger entries ${total} (${r.entries} entries)`,
      href: userHref(r.id),
    });
  }
  return proof;
}

// ── Text and CSV (the script and the download) ──

export const DIFFERENCE_LABEL: Record<DifferenceKind, string> = {
  unrecorded_payment: "Unrecorded payment",
  recorded_not_on_chain: "Recorded, not on the chain",
  missing_ledger_entry: "Missing ledger entry",
  credit_amount_mismatch: "Ledger credit differs",
  credit_without_checkout: "Credit without a credited checkout",
  credited_without_payment: "Credited without a payment",
  unaccounted_money: "Money not accounted for",
  forward_missing: "Forward missing",
  balance_mismatch: "Balance ≠ Σ ledger",
};

const RAIL_NAME: Record<string, string> = { btc: "Bitcoin", mpesa: "M-Pesa", neobank: "NEO Bank", interledger: "Interledger" };
export const railName = (rail: string | null) => (rail ? (RAIL_NAME[rail] ?? rail) : "Ledger");

/** The report as plain text lines (npm run reconcile:report). */
export function reportLines(r: ReconciliationReport, appUrl = env().APP_URL): string[] {
  const lines = [
    `Reconciliation ${r.period.from.toISOString()} – ${r.period.to.toISOString()}${r.rail ? ` · ${railName(r.rail)}` : ""}${r.userId ? ` · user ${r.userId}` : ""}`,
    "",
  ];
  const cols = ["rail", "unit", "count", "received", "credited", "forwarded", "refunded", "open exc.", "in progress", "marked", "diffs"];
  const table = r.totals.map((t) => [
    railName(t.rail),
    t.unit,
    String(t.checkouts),
    String(t.received),
    String(t.credited),
    String(t.forwarded),
    String(t.refunded),
    String(t.openExceptions),
    String(t.inProgress),
    String(t.marked),
    String(t.differences),
  ]);
  const width = cols.map((c, i) => Math.max(c.length, ...table.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((v, i) => (i < 2 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join("  ");
  if (table.length) lines.push(fmt(cols), ...table.map(fmt));
  else lines.push("No checkouts in this period.");
  const l = r.ledger;
  lines.push(
    "",
    `Ledger: ${l.users} users, ${l.entries} entries, Σ entries ${l.entriesTotal} ${l.entriesTotal === l.balancesTotal ? "=" : "≠"} Σ balances ${l.balancesTotal}; ${l.mismatchedUsers} user(s) differ.`,
    `Chain: ${r.chainCalls} calls${r.unchecked.addresses ? `; ${r.unchecked.addresses} address(es) NOT checked: ${r.unchecked.reason}` : "; every handed-out address checked."}`,
    "",
  );
  if (r.differences.length === 0) lines.push("No differences.");
  else {
    lines.push(`${r.differences.length} difference(s):`);
    for (const d of r.differences)
      lines.push(`  - ${DIFFERENCE_LABEL[d.kind]} [${railName(d.rail)}] ${d.email ?? ""} ${d.message} → ${new URL(d.href, appUrl)}`);
  }
  return lines;
}

const CSV_COLUMNS = [
  "row",
  "rail",
  "unit",
  "count",
  "received",
  "credited",
  "credits",
  "forwarded",
  "refunded",
  "open_exceptions",
  "in_progress",
  "marked",
  "differences",
  "kind",
  "checkout_id",
  "user_id",
  "email",
  "amount",
  "message",
  "link",
] as const;
type CsvRecord = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | bigint | null>>;

/** One CSV record per rail total, one for the ledger proof, one per difference (the download). */
export function reportRecords(r: ReconciliationReport, appUrl = env().APP_URL): string[][] {
  const records: CsvRecord[] = [
    ...r.totals.map((t) => ({
      row: "total",
      rail: t.rail,
      unit: t.unit,
      count: t.checkouts,
      received: t.received,
      credited: t.credited,
      credits: t.credits,
      forwarded: t.forwarded,
      refunded: t.refunded,
      open_exceptions: t.openExceptions,
      in_progress: t.inProgress,
      marked: t.marked,
      differences: t.differences,
    })),
    // The ledger proof: count = users, received = Σ entries, credited = Σ balances.
    {
      row: "ledger",
      unit: "credits",
      count: r.ledger.users,
      received: r.ledger.entriesTotal,
      credited: r.ledger.balancesTotal,
      differences: r.ledger.mismatchedUsers,
    },
    ...r.differences.map((d) => ({
      row: "difference",
      rail: d.rail,
      unit: d.unit,
      kind: d.kind,
      checkout_id: d.checkoutId,
      user_id: d.userId,
      email: d.email === null ? null : csvSafe(d.email),
      amount: d.amount,
      message: csvSafe(d.message),
      link: new URL(d.href, appUrl).toString(),
    })),
  ];
  return [[...CSV_COLUMNS], ...records.map((rec) => CSV_COLUMNS.map((c) => String(rec[c] ?? "")))];
}
