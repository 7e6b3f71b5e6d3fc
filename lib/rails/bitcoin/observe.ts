import "server-only";
import { compareAndSet, stampFor, type TimelineEvent } from "@/lib/checkouts/transition";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { type AddressOutput, chainClient } from "./client";
import { bitcoinSettings } from "./config";
import { evaluate, type OutputView } from "./evaluate";

// Observation: the one function that moves a Bitcoin checkout forward. It reads the chain,
// records every output paying the checkout's address, asks the state machine what follows,
// and applies it with a compare-and-set in one transaction. Running it twice against the
// same chain changes nothing the second time (only lastObservedAt moves).

export interface ObserveResult {
  status: string;
  exception: string | null;
  changed: boolean;
  /** Chain requests this observation made (the bench and the polling policy count them). */
  chainCalls: number;
}

interface ChainView {
  tipHeight: number;
  outputs: AddressOutput[];
}

const MAX_ATTEMPTS = 4;

export async function observeBtcCheckout(checkoutId: string, opts: { now?: Date; chain?: ChainView } = {}): Promise<ObserveResult> {
  const address = await db.checkout.findUnique({ where: { id: checkoutId }, select: { address: true, rail: true } });
  if (address?.rail !== "btc" || !address.address) throw new AppError("not_found", "No such Bitcoin checkout.");
  let chainCalls = 0;
  let view = opts.chain;
  if (!view) {
    const client = await chainClient();
    const before = client.stats.requests;
    const [tipHeight, outputs] = await Promise.all([client.tipHeight(), client.addressOutputs(address.address)]);
    chainCalls = client.stats.requests - before;
    view = { tipHeight, outputs };
  }
  for (let attempt = 1; ; attempt++) {
    const result = await apply(checkoutId, view, opts.now ?? new Date());
    if (result) return { ...result, chainCalls };
    // Another observer changed the checkout between our read and our write: decide again.
    if (attempt >= MAX_ATTEMPTS) throw new Error(`observation of ${checkoutId} kept losing the race`);
  }
}

async function apply(checkoutId: string, chain: ChainView, now: Date): Promise<Omit<ObserveResult, "chainCalls"> | null> {
  const settings = bitcoinSettings();
  return db
    .$transaction(async (tx) => {
      const c = await tx.checkout.findUniqueOrThrow({
        where: { id: checkoutId },
        include: { outputs: { orderBy: { firstSeenAt: "asc" } } },
      });
      const events: TimelineEvent[] = [];
      const note = (message: string, data?: Record<string, string | number>) =>
        events.push({ fromStatus: c.status, toStatus: c.status, exception: c.exception, cause: "chain", message, data });

      // 1. Record outputs: new ones, confirmations, and ones that left the chain.
      const onChain = new Map(chain.outputs.map((o) => [`${o.txid}:${o.vout}`, o]));
      const known = new Map(c.outputs.map((o) => [`${o.txid}:${o.vout}`, o]));
      let outputsChanged = false;
      for (const [key, o] of onChain) {
        const row = known.get(key);
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
          outputsChanged = true;
        } else if (row.blockHash !== o.blockHash || row.blockHeight !== o.blockHeight || row.goneAt) {
          // Heights too: Electrum reports no block hashes, so a height is all that moves there.
          await tx.chainOutput.update({
            where: { id: row.id },
            data: { blockHeight: o.blockHeight, blockHash: o.blockHash, blockTime: o.blockTime, goneAt: null },
          });
          if (row.goneAt) note(`payment ${o.txid.slice(0, 12)}… is back on the chain`, { txid: o.txid });
          else if (row.blockHeight !== null && (o.blockHash !== row.blockHash || o.blockHeight !== row.blockHeight))
            note(`reorg: ${o.txid.slice(0, 12)}… left block ${row.blockHeight}`, { txid: o.txid });
          outputsChanged = true;
        }
      }
      for (const [key, row] of known) {
        if (onChain.has(key) || row.goneAt) continue;
        await tx.chainOutput.update({ where: { id: row.id }, data: { goneAt: now } });
        note(`payment ${row.txid.slice(0, 12)}… left the chain (double-spent or dropped)`, { txid: row.txid });
        outputsChanged = true;
      }

      // 2. Evaluate against every output we have ever seen.
      const views: OutputView[] = [...known.values()]
        .filter((row) => !onChain.has(`${row.txid}:${row.vout}`))
        .map((row) => ({ sats: row.sats, blockHeight: row.blockHeight, seenAt: row.firstSeenAt, live: false }));
      for (const [key, o] of onChain) {
        const firstSeen = known.get(key)?.firstSeenAt ?? now;
        const seenAt = o.blockTime && o.blockTime < firstSeen ? o.blockTime : firstSeen;
        views.push({ sats: o.sats, blockHeight: o.blockHeight, seenAt, live: true });
      }
      const r = evaluate(
        {
          status: c.status,
          exception: c.exception,
          expectedSats: c.expectedAmount,
          toleranceBps: settings.toleranceBps,
          confirmationsRequired: c.confirmationsRequired,
          expiresAt: c.expiresAt,
          monitorUntil: c.monitorUntil,
        },
        views,
        chain.tipHeight,
        now,
      );
      if (r.reason) events.push({ fromStatus: c.status, toStatus: r.status, exception: r.exception, cause: r.cause, message: r.reason });
      else if (r.confirmations !== c.confirmations && views.some((v) => v.live))
        note(`${Math.min(r.confirmations, c.confirmationsRequired)} of ${c.confirmationsRequired} confirmations`, { confirmations: r.confirmations });

      const changed = outputsChanged || r.reason !== null || r.receivedSats !== c.receivedAmount || r.confirmations !== c.confirmations;
      if (!changed) {
        await tx.checkout.update({ where: { id: checkoutId }, data: { lastObservedAt: now } });
        return { status: c.status, exception: c.exception, changed: false };
      }
      const firstSeen = c.seenAt === null && views.some((v) => v.live);
      const ok = await compareAndSet(
        tx,
        c,
        {
          status: r.status,
          exception: r.exception,
          receivedAmount: r.receivedSats,
          confirmations: r.confirmations,
          lastObservedAt: now,
          ...(r.status !== c.status ? stampFor(r.status, now) : {}),
          ...(firstSeen ? { seenAt: now } : {}),
        },
        events,
      );
      if (!ok) throw new LostRace();
      return { status: r.status, exception: r.exception, changed: true };
    })
    .catch((err) => {
      // A lost compare-and-set, or a twin observer inserting the same output first.
      if (err instanceof LostRace || isUniqueViolation(err)) return null;
      throw err;
    });
}

class LostRace extends Error {}
