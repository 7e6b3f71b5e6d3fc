import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import type { CheckoutStatus, EventCause } from "@/lib/db/generated/enums";
import { LostRace, QUEUED_TX, retryOnRace } from "@/lib/db/retry";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { logMoneyEvent } from "@/lib/money-log";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import type { ChainOutputFact, Fact } from "@/lib/rails/types";
import { notifyAdmins } from "./attention";
import { confirmationsOf, decide, type Payment, type Signals } from "./rule";
import { isCredited } from "./statuses";
import { compareAndSet, stampFor, type TimelineEvent } from "./transition";

// applyFacts: the only way a rail's facts become status. Polls, webhooks, the reconciler,
// Inngest steps, the buyer's return from a provider and admin tools all call it. In one
// transaction it reads the checkout, records what arrived (chain outputs), asks the rule
// (rule.ts) what follows, and writes the answer with a compare-and-set and its timeline
// events; after the commit it announces status changes through the outbox. Applying the
// same facts twice changes nothing the second time.

export interface ApplyOptions {
  now?: Date;
  /** An observation: stamp lastObservedAt even when nothing changed. */
  observed?: boolean;
  /** Who to name in outbox events ("mpesa-webhook", "chain"…). */
  source?: string;
}

export interface ApplyOutcome {
  checkoutId: string;
  /** Status before and after (JSON-safe strings, for Inngest step results). */
  from: CheckoutStatus;
  status: CheckoutStatus;
  exception: string | null;
  changed: boolean;
  /** The checkout was flagged for an admin by these facts. */
  flagged: boolean;
}

const select = {
  id: true,
  version: true,
  status: true,
  exception: true,
  expectedAmount: true,
  receivedAmount: true,
  confirmations: true,
  confirmationsRequired: true,
  expiresAt: true,
  monitorUntil: true,
  creditedAt: true,
  seenAt: true,
  createdAt: true,
  needsAttention: true,
  attentionReason: true,
} as const;

/** PAYMENT_TOLERANCE_PERCENT in basis points: the same tolerance for every rail. */
export function toleranceBps(): number {
  return Math.round(Number(env().PAYMENT_TOLERANCE_PERCENT) * 100);
}

export async function applyFacts(checkoutId: string, facts: Fact[], cause: EventCause, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const outcome = await retryOnRace(() => applyOnce(checkoutId, facts, cause, opts.now ?? new Date(), opts.observed ?? false));
  // After the commit: the state is durable first, then the outbox row, then the send.
  if (outcome.changed && outcome.status !== outcome.from) {
    const source = opts.source ?? cause;
    const name = outcome.status === "paid" ? EVENTS.paid : outcome.status === "failed" ? EVENTS.failed : outcome.status === "expired" ? EVENTS.expired : null;
    if (name) await emitEvent(name, { checkoutId, source });
    if (outcome.status === "failed" || outcome.status === "forwarded") {
      const withRef = facts.find((f) => "ref" in f && f.ref);
      const txid = facts.map((f) => ("data" in f ? (f.data as { txid?: unknown } | undefined)?.txid : undefined)).find((t) => typeof t === "string");
      const ref = (withRef && "ref" in withRef ? withRef.ref : undefined) ?? (txid as string | undefined);
      const reason = facts.find((f) => f.kind === "failed")?.message;
      await logMoneyEvent(outcome.status, checkoutId, { source, ...(ref ? { ref } : {}), ...(reason ? { reason } : {}) });
    }
  }
  if (outcome.flagged) {
    await emitEvent(EVENTS.needsAttention, { checkoutId, source: opts.source ?? cause });
    await notifyAdmins(checkoutId, outcome.attention ?? "needs attention");
  }
  const { attention: _a, ...rest } = outcome;
  return rest;
}

async function applyOnce(checkoutId: string, facts: Fact[], cause: EventCause, now: Date, observed: boolean) {
  return db.$transaction(async (tx) => {
    const chain = facts.find((f): f is Extract<Fact, { kind: "chain" }> => f.kind === "chain");
    const c = await tx.checkout.findUnique({
      where: { id: checkoutId },
      select: { ...select, ...(chain ? { outputs: { orderBy: { firstSeenAt: "asc" as const } } } : {}) },
    });
    if (!c) throw new AppError("not_found", "No such checkout.");
    const events: TimelineEvent[] = [];
    const note = (message: string, data?: Prisma.InputJsonValue, by: EventCause = cause) =>
      events.push({ fromStatus: c.status, toStatus: c.status, exception: c.exception, cause: by, message, data });

    // 1. What arrived. Chain outputs are recorded (new ones, confirmations, ones that left
    //    the chain); a provider's confirmed payment is the one payment of this checkout.
    const payments: Payment[] = [];
    let outputsChanged = false;
    const afterCredit: string[] = [];
    if (chain) {
      const known = (c as unknown as { outputs: OutputRow[] }).outputs;
      const recorded = await recordOutputs(tx, checkoutId, known, chain.outputs, now, (m, d) => note(m, d, "chain"));
      outputsChanged = recorded.changed;
      // After crediting, every change on the chain is for an admin: money paid again, a
      // credited payment back to unconfirmed (a reorg), or gone.
      if (isCredited(c.status)) {
        for (const o of recorded.added) afterCredit.push(`paid after credit: ${o.sats} sats in ${o.txid}`);
        for (const r of recorded.unconfirmed) afterCredit.push(`reorg after credit: ${r.txid} is unconfirmed again`);
        for (const r of recorded.gone) afterCredit.push(`reversed after credit: ${r.txid} left the chain`);
      }
      const onChain = new Map(chain.outputs.map((o) => [`${o.txid}:${o.vout}`, o]));
      for (const row of known)
        if (!onChain.has(`${row.txid}:${row.vout}`))
          payments.push({
            amount: row.sats,
            confirmations: confirmationsOf(row.blockHeight, chain.tipHeight),
            seenAt: row.firstSeenAt,
            live: false,
            final: false,
            firstSeenAt: row.firstSeenAt,
            goneAt: row.goneAt ?? now,
          });
      const firstSeen = new Map(known.map((r) => [`${r.txid}:${r.vout}`, r.firstSeenAt]));
      for (const [key, o] of onChain) {
        const first = firstSeen.get(key) ?? now;
        const seenAt = o.blockTime && o.blockTime < first ? o.blockTime : first;
        payments.push({ amount: o.sats, confirmations: confirmationsOf(o.blockHeight, chain.tipHeight), seenAt, live: true, final: false, firstSeenAt: first });
      }
    }
    const paid = facts.find((f): f is Extract<Fact, { kind: "paid" }> => f.kind === "paid");
    if (paid) payments.push({ amount: paid.amount, confirmations: c.confirmationsRequired, seenAt: c.createdAt, live: true, final: true });
    const processing = facts.find((f): f is Extract<Fact, { kind: "processing" }> => f.kind === "processing");
    const failed = facts.find((f): f is Extract<Fact, { kind: "failed" }> => f.kind === "failed");
    const forwarded = facts.find((f): f is Extract<Fact, { kind: "forwarded" }> => f.kind === "forwarded");
    const signals: Signals = { processing: Boolean(processing), failed: Boolean(failed), forwarded: Boolean(forwarded) };

    const capped = (n: number) => Math.min(n, c.confirmationsRequired);

    // 2. The rule (the clock applies on every observation and every fact).
    const d = decide(
      {
        status: c.status,
        exception: c.exception,
        expectedAmount: c.expectedAmount,
        toleranceBps: toleranceBps(),
        confirmationsRequired: c.confirmationsRequired,
        expiresAt: c.expiresAt,
        monitorUntil: c.monitorUntil,
        creditedAt: c.creditedAt,
      },
      payments,
      now,
      signals,
    );
    const statement = forwarded ?? (paid && d.status === "paid" ? paid : null) ?? (failed && d.status === "failed" ? failed : null) ?? processing ?? null;
    if (d.reason) {
      const byFact = d.by === "fact" && statement;
      events.push({
        fromStatus: c.status,
        toStatus: d.status,
        exception: d.exception,
        cause: d.by === "expiry" ? "expiry" : chain ? "chain" : cause,
        message: byFact ? statement.message : d.reason,
        data: byFact && "data" in statement ? statement.data : undefined,
      });
    }
    // Confirmations get their own entry, also when the same observation changed the status (a
    // payment first seen already in a block: "payment seen…" and "1 of 3 confirmations"); only
    // the move to paid says it itself ("payment confirmed (3 confirmations)").
    if (chain && capped(d.confirmations) !== capped(c.confirmations) && payments.some((p) => p.live) && !(d.reason && d.status === "paid"))
      events.push({
        fromStatus: d.status,
        toStatus: d.status,
        exception: d.exception,
        cause: "chain",
        message: `${capped(d.confirmations)} of ${c.confirmationsRequired} confirmations`,
        data: { confirmations: d.confirmations },
      });
    for (const f of facts) if (f.kind === "note") note(f.message, f.data);

    // 3. Flags for an admin: what the facts say needs one, and what the rule says.
    const reasons = [
      ...afterCredit,
      ...facts.filter((f) => f.kind === "attention").map((f) => (f as { reason: string }).reason),
      ...(d.flag && failed ? [`${d.flag}: ${failed.message}`] : []),
    ];
    const attention = reasons.length ? reasons.join("; ").slice(0, 500) : null;
    const flag = attention !== null && !(c.needsAttention && c.attentionReason === attention);

    const statusChanged = d.status !== c.status;
    const patch: Prisma.CheckoutUpdateManyMutationInput = {
      status: d.status,
      exception: d.exception,
      ...(observed ? { lastObservedAt: now } : {}),
      ...(statusChanged ? stampFor(d.status, now) : {}),
      ...(flag ? { needsAttention: true, attentionReason: attention } : {}),
    };
    let amountsChanged = false;
    if (chain) {
      // Confirmations past the required number change nothing (a watched credited address
      // would otherwise write its row on every look).
      amountsChanged = d.received !== c.receivedAmount || capped(d.confirmations) !== capped(c.confirmations);
      Object.assign(patch, { receivedAmount: d.received, confirmations: d.confirmations });
      if (c.seenAt === null && payments.some((p) => p.live)) patch.seenAt = now;
    }
    if (statusChanged && d.status === "paid" && paid) Object.assign(patch, { receivedAmount: d.received, failureMessage: null, seenAt: c.seenAt ?? now });
    if (statusChanged && d.status === "confirming" && processing) patch.seenAt = c.seenAt ?? now;
    if (statusChanged && d.status === "failed" && failed) patch.failureMessage = failed.buyerMessage;

    const changed = outputsChanged || d.reason !== null || amountsChanged || flag || events.length > 0;
    const result = { checkoutId, from: c.status, status: d.status, exception: d.exception as string | null, flagged: flag, attention };
    if (!changed) {
      if (observed) await tx.checkout.update({ where: { id: checkoutId }, data: { lastObservedAt: now } });
      return { ...result, status: c.status, exception: c.exception as string | null, changed: false };
    }
    if (!(await compareAndSet(tx, c, patch, events))) throw new LostRace();
    return { ...result, changed: d.reason !== null || outputsChanged || amountsChanged || flag };
  }, QUEUED_TX);
}

type OutputRow = {
  id: string;
  txid: string;
  vout: number;
  sats: bigint;
  blockHeight: number | null;
  blockHash: string | null;
  firstSeenAt: Date;
  goneAt: Date | null;
};

/** Records chain outputs: new ones, moved ones (confirmations, reorgs), and ones that left the chain. */
async function recordOutputs(
  tx: Prisma.TransactionClient,
  checkoutId: string,
  known: OutputRow[],
  outputs: ChainOutputFact[],
  now: Date,
  note: (message: string, data?: Prisma.InputJsonValue) => void,
): Promise<{ changed: boolean; added: ChainOutputFact[]; unconfirmed: OutputRow[]; gone: OutputRow[] }> {
  const onChain = new Map(outputs.map((o) => [`${o.txid}:${o.vout}`, o]));
  const rows = new Map(known.map((o) => [`${o.txid}:${o.vout}`, o]));
  let changed = false;
  const added: ChainOutputFact[] = [];
  const unconfirmed: OutputRow[] = [];
  const gone: OutputRow[] = [];
  for (const [key, o] of onChain) {
    const row = rows.get(key);
    if (!row) {
      await tx.chainOutput.create({
        data: {
          checkoutId,
          txid: o.txid,
          vout: o.vout,
          sats: o.sats,
          blockHeight: o.blockHeight,
          blockHash: o.blockHash,
          blockTime: o.blockTime,
          firstSeenAt: now,
        },
      });
      note(`payment seen: ${o.sats} sats in ${o.txid.slice(0, 12)}…`, { txid: o.txid, vout: o.vout, sats: o.sats.toString() });
      added.push(o);
      changed = true;
    } else if (row.blockHash !== o.blockHash || row.blockHeight !== o.blockHeight || row.goneAt) {
      // Heights too: Electrum reports no block hashes, so a height is all that moves there.
      await tx.chainOutput.update({
        where: { id: row.id },
        // A new block (or none) starts the after-credit depth re-checks over (lib/lifecycle/rechecks.ts).
        data: { blockHeight: o.blockHeight, blockHash: o.blockHash, blockTime: o.blockTime, goneAt: null, recheckedDepth: 0 },
      });
      if (row.goneAt) note(`payment ${o.txid.slice(0, 12)}… is back on the chain`, { txid: o.txid });
      else if (row.blockHeight !== null && (o.blockHash !== row.blockHash || o.blockHeight !== row.blockHeight)) {
        note(`reorg: ${o.txid.slice(0, 12)}… left block ${row.blockHeight}`, { txid: o.txid });
        if (o.blockHeight === null) unconfirmed.push(row);
      }
      changed = true;
    }
  }
  for (const [key, row] of rows) {
    if (onChain.has(key) || row.goneAt) continue;
    await tx.chainOutput.update({ where: { id: row.id }, data: { goneAt: now } });
    note(`payment ${row.txid.slice(0, 12)}… left the chain (double-spent or dropped)`, { txid: row.txid });
    gone.push(row);
    changed = true;
  }
  return { changed, added, unconfirmed, gone };
}
