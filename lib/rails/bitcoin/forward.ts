import "server-only";
import { db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { AfterCreditResult, CheckoutSnapshot, Fact } from "@/lib/rails/types";
import { buildBatchSweep, bumpFeeRate, feeShares, type IndexedUtxo, percentToBps, planBatch, type SweepGroup } from "./batch-sweep";
import { type ChainBackend, chainClient, type FeeEstimates } from "./client";
import { bitcoinSettings } from "./config";
import { HotWalletError } from "./hot-wallet";
import { addressOutputScript } from "./networks";

// Forwarding (BTC_ADDRESS_SOURCE=hot): the confirmed outputs of credited checkouts (money paid
// after crediting too) are swept to BTC_FORWARD_ADDRESS in batches — ONE transaction with many
// inputs and one output, at the fee estimate for BTC_FORWARD_FEE_TARGET blocks — and only when
// the fee stays within BTC_FORWARD_MAX_FEE_PERCENT of what is swept; otherwise the funds wait
// (SweepWait: shown to admins, on the timeline once, retried by a later sweep). The order makes
// a crash harmless at any point:
//   1. build and sign the batch, and STORE it with every checkout's part and every outpoint it
//      spends — one transaction; an outpoint is a primary key, so no second batch can claim it;
//   2. broadcast the stored hex ("already known" counts as success);
//   3. watch the txid; once confirmed, each checkout's part says so (a "forwarded" fact: the
//      core moves the checkout credited → forwarded by compare-and-set).
// Every later run re-broadcasts the stored hex; once an outpoint is stored no other spend of it
// is ever built, except an RBF bump of the same batch (same inputs, same output, higher fee),
// stored the same way before it is sent. Whichever version confirms is the one recorded.

/** The chain calls forwarding needs (the chain backend; tests wrap it to inject crashes). */
export type ForwardChain = Pick<ChainBackend, "addressUtxos" | "feeEstimates" | "broadcast" | "txStatus"> & Partial<Pick<ChainBackend, "tipHeight">>;

export type ForwardOutcome =
  | { outcome: "not_applicable"; reason: string }
  | { outcome: "already_forwarded"; txid: string | null }
  | { outcome: "not_credited"; status: string }
  | { outcome: "nothing_to_sweep" }
  /** Confirmed funds left for a later sweep (fees above the share, a batch still collecting). */
  | { outcome: "waiting"; reason: string; sats: string; since: string; firstNotice: boolean }
  /** Broadcast (or known to the network); waiting for a confirmation. */
  | { outcome: "broadcast"; txid: string; feeSats: string; amountSats: string; seq: number }
  | { outcome: "forwarded"; txid: string; feeSats: string; amountSats: string; seq: number }
  /** A later sweep (money paid after crediting) confirmed. */
  | { outcome: "late_forwarded"; txid: string; feeSats: string; amountSats: string; seq: number };

/** Confirmations after which a sweep counts as done. */
export const FORWARD_CONFIRMATIONS = 1;

/** How long a checkout whose funds wait is left alone before its own run sweeps again (other runs may take it sooner). */
export const WAIT_RECHECK_MS = 10 * 60_000;

function hotSettings() {
  const settings = bitcoinSettings();
  return settings.source === "hot" && settings.hot && settings.forwardAddress
    ? { wallet: settings.hot, to: settings.forwardAddress, network: settings.network }
    : null;
}

export async function forwardCheckout(
  checkout: Pick<CheckoutSnapshot, "id" | "status">,
  opts: { chain?: ForwardChain; now?: Date; force?: boolean } = {},
): Promise<ForwardOutcome> {
  const checkoutId = checkout.id;
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { id: true, rail: true, status: true, address: true, derivationIndex: true, sweeps: { orderBy: { seq: "asc" } } },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (c.rail !== "btc") return { outcome: "not_applicable", reason: "not a Bitcoin checkout" };
  const first = c.sweeps[0] ?? null;
  const hot = hotSettings();
  if (c.status === "forwarded" && !hot) return { outcome: "already_forwarded", txid: first?.txid ?? null };
  if (!hot) return { outcome: "not_applicable", reason: "not in hot-wallet mode" };
  if (c.address === null || c.derivationIndex === null) return { outcome: "not_applicable", reason: "no derived address" };
  // Another wallet's address (another server's seed on this database, or a source changed from xpub): never sign for it.
  if (hot.wallet.address(c.derivationIndex) !== c.address) return { outcome: "not_applicable", reason: "the address was not derived by this hot wallet" };
  if (c.status !== "credited" && c.status !== "forwarded") return { outcome: "not_credited", status: c.status };
  const chain: ForwardChain = opts.chain ?? (await chainClient());
  const now = opts.now ?? new Date();

  // The first sweep confirmed but the checkout did not move yet (a crash in between): say so again.
  if (c.status === "credited" && first?.confirmedAt) return { outcome: "forwarded", ...sweepResult(first) };
  // A stored part not yet confirmed is the only one followed; otherwise the next batch takes
  // this checkout's confirmed outputs no earlier sweep spent (with everyone else's).
  let part = c.sweeps.find((s) => !s.confirmedAt) ?? null;
  if (!part) {
    const wait = await db.sweepWait.findUnique({ where: { checkoutId } });
    if (opts.force || !wait || now.getTime() - wait.checkedAt.getTime() >= WAIT_RECHECK_MS) await sweepHotWallet({ chain, now });
    part = await db.sweepTransaction.findFirst({ where: { checkoutId, confirmedAt: null }, orderBy: { seq: "asc" } });
    if (!part) {
      const w = await db.sweepWait.findUnique({ where: { checkoutId } });
      if (w) {
        const noted = await db.sweepWait.updateMany({ where: { checkoutId, notedAt: null }, data: { notedAt: now } });
        return { outcome: "waiting", reason: w.reason, sats: w.sats.toString(), since: w.since.toISOString(), firstNotice: noted.count === 1 };
      }
      return c.status === "forwarded" ? { outcome: "already_forwarded", txid: first?.txid ?? null } : { outcome: "nothing_to_sweep" };
    }
  }

  if (part.batchId === null) {
    // A sweep stored before batching: its own hex, sent as before.
    const id = part.id;
    const confirmed = await sendStored(chain, part.txid, part.hex ?? "", part.broadcastAt, now, ({ broadcastHeight: _h, ...data }) =>
      db.sweepTransaction.update({ where: { id }, data }),
    );
    if (!confirmed) return { outcome: "broadcast", ...sweepResult(part) };
  } else {
    const state = await advanceBatch(part.batchId, { chain, now });
    part = await db.sweepTransaction.findUniqueOrThrow({ where: { id: part.id } }); // a bump or the confirmed version may have changed it
    if (!state.confirmed) return { outcome: "broadcast", ...sweepResult(part) };
  }
  // Confirmed: the core moves credited → forwarded, once (a later sweep is a timeline note).
  await db.sweepTransaction.updateMany({ where: { id: part.id, confirmedAt: null }, data: { confirmedAt: now } });
  return part.seq === 0 ? { outcome: "forwarded", ...sweepResult(part) } : { outcome: "late_forwarded", ...sweepResult(part) };
}

function sweepResult(s: { txid: string; feeSats: bigint; amountSats: bigint; seq: number }) {
  return { txid: s.txid, feeSats: s.feeSats.toString(), amountSats: s.amountSats.toString(), seq: s.seq };
}

/**
 * Broadcasts a stored transaction unless the network is known to have it, recording the try;
 * true once it has FORWARD_CONFIRMATIONS. A failed broadcast is recorded and rethrown.
 */
async function sendStored(
  chain: ForwardChain,
  txid: string,
  hex: string,
  broadcastAt: Date | null,
  now: Date,
  record: (data: { broadcastAt?: Date; broadcastHeight?: number; attempts: { increment: number }; error: string | null }) => Promise<unknown>,
): Promise<boolean> {
  const known = broadcastAt ? await chain.txStatus(txid) : null;
  if (!known) {
    try {
      await chain.broadcast(hex);
    } catch (err) {
      await record({ attempts: { increment: 1 }, error: (err instanceof Error ? err.message : String(err)).slice(0, 1000) });
      throw err;
    }
    const height = broadcastAt ? undefined : await chain.tipHeight?.().catch(() => undefined);
    await record({ broadcastAt: broadcastAt ?? now, ...(height === undefined ? {} : { broadcastHeight: height }), attempts: { increment: 1 }, error: null });
  }
  const status = known ?? (await chain.txStatus(txid));
  return Boolean(status?.confirmed);
}

export type SweepRun =
  | { outcome: "not_applicable" }
  | { outcome: "nothing_to_sweep"; waiting: number }
  /** Another process stored a batch with some of the same outputs first: it is followed, not ours. */
  | { outcome: "raced"; waiting: number }
  | {
      outcome: "stored";
      batchId: string;
      txid: string;
      inputs: number;
      checkouts: number;
      feeSats: string;
      amountSats: string;
      feeRate: string;
      waiting: number;
    };

interface Candidate {
  id: string;
  address: string;
  derivationIndex: number;
  creditedAt: Date | null;
}

/**
 * One sweep of the hot wallet: every credited (or paid-after-credit) checkout's confirmed,
 * recorded, unspent outputs that no sweep has claimed, planned by fee share, signed, STORED,
 * then broadcast. What is left waits with its reason. Safe to run twice at once.
 */
export async function sweepHotWallet(opts: { chain?: ForwardChain; now?: Date } = {}): Promise<SweepRun> {
  const hot = hotSettings();
  if (!hot) return { outcome: "not_applicable" };
  const e = env();
  const now = opts.now ?? new Date();
  const candidates = await db.$queryRaw<Candidate[]>`
    SELECT c."id", c."address", c."derivationIndex", c."creditedAt" FROM "Checkout" c
     WHERE c."rail" = 'btc' AND c."status"::text IN ('credited', 'forwarded')
       AND c."address" IS NOT NULL AND c."derivationIndex" IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "SweepTransaction" s WHERE s."checkoutId" = c."id" AND s."confirmedAt" IS NULL)
       AND EXISTS (SELECT 1 FROM "ChainOutput" o WHERE o."checkoutId" = c."id" AND o."blockHeight" IS NOT NULL AND o."goneAt" IS NULL
                     AND NOT EXISTS (SELECT 1 FROM "SweepInput" i WHERE i."outpoint" = o."txid" || ':' || o."vout"))
     ORDER BY c."creditedAt" ASC NULLS LAST, c."id"
     LIMIT 1000`;
  if (candidates.length === 0) return { outcome: "nothing_to_sweep", waiting: 0 };
  const ids = candidates.map((c) => c.id);
  const [recorded, claimed, waits] = await Promise.all([
    db.chainOutput.findMany({
      where: { checkoutId: { in: ids }, blockHeight: { not: null }, goneAt: null },
      select: { checkoutId: true, txid: true, vout: true },
    }),
    db.sweepInput.findMany({ where: { checkoutId: { in: ids } }, select: { outpoint: true } }),
    db.sweepWait.findMany({ where: { checkoutId: { in: ids } } }),
  ]);
  const spent = new Set(claimed.map((i) => i.outpoint));
  const mine = new Map<string, Set<string>>();
  for (const o of recorded) {
    const key = `${o.txid}:${o.vout}`;
    if (spent.has(key)) continue;
    if (!mine.has(o.checkoutId)) mine.set(o.checkoutId, new Set());
    mine.get(o.checkoutId)!.add(key);
  }
  const chain: ForwardChain = opts.chain ?? (await chainClient());
  // The chain says what is really unspent and confirmed; only outputs Satchel recorded are taken
  // (anything else is first observed, so every swept sat is on a checkout).
  const groups: SweepGroup[] = [];
  const unseen: { group: SweepGroup; reason: string }[] = [];
  for (const c of candidates) {
    const ours = mine.get(c.id);
    // Another wallet's address (another server's seed on this database, or a source changed from xpub): never sign for it.
    if (!ours || hot.wallet.address(c.derivationIndex) !== c.address) continue;
    const utxos: IndexedUtxo[] = (await chain.addressUtxos(c.address))
      .filter((u) => u.blockHeight !== null && ours.has(`${u.txid}:${u.vout}`))
      .map((u) => ({ txid: u.txid, vout: u.vout, value: u.value, index: c.derivationIndex }));
    if (utxos.length) groups.push({ checkoutId: c.id, utxos });
    // Recorded as confirmed, but the chain has no such unspent output (a reorg the observer has
    // not seen yet): nothing to sign; the wait keeps this checkout's own runs from asking again at once.
    else unseen.push({ group: { checkoutId: c.id, utxos: [] }, reason: "waiting for the chain: its recorded outputs are not confirmed and unspent there" });
  }
  await recordWaits(unseen, now);
  if (groups.length === 0) return { outcome: "nothing_to_sweep", waiting: unseen.length };

  const feeRate = pickFeeRate(await chain.feeEstimates(), e.BTC_FORWARD_FEE_TARGET);
  const toScript = addressOutputScript(hot.to, hot.network, "forward address");
  const since = new Map(waits.map((w) => [w.checkoutId, w.since.getTime()]));
  // A full batch leaves the rest for the next one, built at once (a few rounds per run).
  let last: SweepRun = { outcome: "nothing_to_sweep", waiting: 0 };
  let left = groups;
  for (let round = 0; round < MAX_BATCHES_PER_RUN && left.length; round++) {
    const r = await sweepOnce(left, { hot, chain, now, feeRate, toScript, since });
    last = r.run;
    if (r.run.outcome !== "stored" || r.next.length === 0) {
      await recordWaits(r.wait, now);
      break;
    }
    await recordWaits(
      r.wait.filter((w) => !r.next.includes(w.group)),
      now,
    );
    left = r.next;
    if (round === MAX_BATCHES_PER_RUN - 1)
      await recordWaits(
        r.wait.filter((w) => r.next.includes(w.group)),
        now,
      );
  }
  return last;
}

/** Batches one sweep run may build when each fills up (BTC_FORWARD_BATCH_MAX); the rest waits for the next run. */
const MAX_BATCHES_PER_RUN = 20;

async function sweepOnce(
  groups: SweepGroup[],
  ctx: { hot: NonNullable<ReturnType<typeof hotSettings>>; chain: ForwardChain; now: Date; feeRate: string; toScript: Uint8Array; since: Map<string, number> },
): Promise<{ run: SweepRun; wait: { group: SweepGroup; reason: string }[]; next: SweepGroup[] }> {
  const { hot, chain, now, feeRate, toScript, since } = ctx;
  const e = env();
  const maxPercent = e.BTC_FORWARD_MAX_FEE_PERCENT;
  let plan = planBatch(groups, { feeRate, maxFeeBps: percentToBps(maxPercent), maxInputs: e.BTC_FORWARD_BATCH_MAX, toScript, maxPercent });
  // A batching window: funds wait for others until the oldest has waited the window (or the batch is full).
  const windowMs = e.BTC_FORWARD_BATCH_WINDOW_MINUTES * 60_000;
  const full = plan.wait.some((w) => w.full);
  if (windowMs > 0 && plan.take.length && !full) {
    const oldest = Math.min(...plan.take.map((g) => since.get(g.checkoutId) ?? now.getTime()));
    if (now.getTime() - oldest < windowMs) {
      const until = new Date(oldest + windowMs).toISOString();
      const reason = `collecting a batch until ${until} (BTC_FORWARD_BATCH_WINDOW_MINUTES=${e.BTC_FORWARD_BATCH_WINDOW_MINUTES})`;
      plan = { ...plan, take: [], wait: [...plan.take.map((group) => ({ group, reason })), ...plan.wait] };
    }
  }
  const waiting = () => plan.wait.length;
  let built = null;
  if (plan.take.length) {
    try {
      built = buildBatchSweep({
        wallet: hot.wallet,
        utxos: plan.take.flatMap((g) => g.utxos),
        toAddress: hot.to,
        feeRateSatPerVb: feeRate,
        network: hot.network,
      });
    } catch (err) {
      if (!(err instanceof HotWalletError && err.code === "dust")) throw err;
      const reason = `waiting for cheaper fees: ${err.message}`;
      plan = { ...plan, take: [], wait: [...plan.take.map((group) => ({ group, reason })), ...plan.wait] };
    }
  }
  if (!built) return { run: { outcome: "nothing_to_sweep", waiting: waiting() }, wait: plan.wait, next: [] };
  const sweep = built;
  const take = plan.take;
  const shares = feeShares(take, sweep.fee);
  const inputs = take.reduce((n, g) => n + g.utxos.length, 0);
  let batchId: string;
  try {
    batchId = await db.$transaction(async (tx) => {
      const batch = await tx.sweepBatch.create({
        data: {
          txid: sweep.txid,
          hex: sweep.hex,
          inputs: take.flatMap((g) => g.utxos.map((u) => `${u.txid}:${u.vout}`)),
          feeSats: sweep.fee,
          amountSats: sweep.amount,
          feeRate,
          vsize: sweep.vsize,
          toAddress: hot.to,
        },
      });
      for (const [i, g] of take.entries()) {
        const value = g.utxos.reduce((s, u) => s + u.value, 0n);
        const seq = await tx.sweepTransaction.count({ where: { checkoutId: g.checkoutId } });
        const part = await tx.sweepTransaction.create({
          data: {
            checkoutId: g.checkoutId,
            seq,
            txid: sweep.txid,
            inputs: g.utxos.map((u) => `${u.txid}:${u.vout}`),
            feeSats: shares[i]!,
            amountSats: value - shares[i]!,
            feeRate,
            toAddress: hot.to,
            batchId: batch.id,
          },
        });
        // The primary key on the outpoint: a twin that claimed any of these first rolls this back.
        await tx.sweepInput.createMany({ data: g.utxos.map((u) => ({ outpoint: `${u.txid}:${u.vout}`, sweepId: part.id, checkoutId: g.checkoutId })) });
      }
      await tx.sweepWait.deleteMany({ where: { checkoutId: { in: take.map((g) => g.checkoutId) } } });
      return batch.id;
    });
  } catch (err) {
    if (!isUniqueViolation(err) && !isSerializationFailure(err)) throw err;
    return { run: { outcome: "raced", waiting: waiting() }, wait: plan.wait, next: [] };
  }
  log.info(
    { batchId, txid: sweep.txid, inputs, checkouts: take.length, feeSats: sweep.fee.toString(), amountSats: sweep.amount.toString(), feeRate },
    "forward: sweep batch stored",
  );
  await advanceBatch(batchId, { chain, now });
  return {
    run: {
      outcome: "stored",
      batchId,
      txid: sweep.txid,
      inputs,
      checkouts: take.length,
      feeSats: sweep.fee.toString(),
      amountSats: sweep.amount.toString(),
      feeRate,
      waiting: waiting(),
    },
    wait: plan.wait,
    next: plan.wait.filter((w) => w.full).map((w) => w.group),
  };
}

function isSerializationFailure(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2034";
}

async function recordWaits(wait: { group: SweepGroup; reason: string }[], now: Date): Promise<void> {
  for (const { group, reason } of wait) {
    const sats = group.utxos.reduce((s, u) => s + u.value, 0n);
    await db.sweepWait.upsert({
      where: { checkoutId: group.checkoutId },
      create: { checkoutId: group.checkoutId, reason, sats, since: now, checkedAt: now },
      update: { reason, sats, checkedAt: now },
    });
  }
}

/**
 * Follows one stored batch: a version replaced by a bump that confirmed anyway becomes the
 * recorded one; otherwise the live version is (re-)broadcast and watched, and bumped once it
 * has waited BTC_FORWARD_BUMP_AFTER_BLOCKS blocks unconfirmed.
 */
export async function advanceBatch(batchId: string, opts: { chain?: ForwardChain; now?: Date } = {}): Promise<{ confirmed: boolean; txid: string }> {
  const chain: ForwardChain = opts.chain ?? (await chainClient());
  const now = opts.now ?? new Date();
  let live = await db.sweepBatch.findUniqueOrThrow({ where: { id: batchId } });
  while (live.replacedById) live = await db.sweepBatch.findUniqueOrThrow({ where: { id: live.replacedById } });
  if (live.confirmedAt) return { confirmed: true, txid: live.txid };
  // Older versions (an RBF bump replaced them) may still be the one a miner took.
  for (
    let older = await db.sweepBatch.findUnique({ where: { replacedById: live.id } });
    older;
    older = await db.sweepBatch.findUnique({ where: { replacedById: older.id } })
  ) {
    if (!older.broadcastAt) continue;
    const st = await chain.txStatus(older.txid);
    if (st?.confirmed) {
      await adoptVersion(older.id, live.id, now);
      return { confirmed: true, txid: older.txid };
    }
  }
  const id = live.id;
  const confirmed = await sendStored(chain, live.txid, live.hex, live.broadcastAt, now, async (data) => {
    await db.sweepBatch.update({ where: { id }, data });
    const { broadcastHeight: _h, ...partData } = data;
    await db.sweepTransaction.updateMany({ where: { batchId: id }, data: partData });
  });
  if (confirmed) {
    await db.sweepBatch.updateMany({ where: { id, confirmedAt: null }, data: { confirmedAt: now } });
    return { confirmed: true, txid: live.txid };
  }
  const after = env().BTC_FORWARD_BUMP_AFTER_BLOCKS;
  const fresh = await db.sweepBatch.findUniqueOrThrow({ where: { id } });
  if (after > 0 && fresh.broadcastHeight !== null && chain.tipHeight) {
    const tip = await chain.tipHeight();
    if (tip - fresh.broadcastHeight >= after) {
      try {
        const bumped = await bumpSweepBatch(id, { chain, now });
        return { confirmed: false, txid: bumped.txid };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        await db.sweepBatch.update({ where: { id }, data: { error: `not bumped after ${tip - fresh.broadcastHeight} blocks: ${err.message}`.slice(0, 1000) } });
      }
    }
  }
  return { confirmed: false, txid: live.txid };
}

/** The parts of a batch family now belong to the version that confirmed (with its fee). */
async function adoptVersion(confirmedId: string, liveId: string, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const v = await tx.sweepBatch.findUniqueOrThrow({ where: { id: confirmedId } });
    const parts = await tx.sweepTransaction.findMany({ where: { batchId: liveId }, orderBy: { id: "asc" } });
    const shares = feeShares(
      parts.map((p) => ({ utxos: [{ value: p.amountSats + p.feeSats }] })),
      v.feeSats,
    );
    for (const [i, p] of parts.entries())
      await tx.sweepTransaction.update({
        where: { id: p.id },
        data: { batchId: v.id, txid: v.txid, feeSats: shares[i]!, amountSats: p.amountSats + p.feeSats - shares[i]!, feeRate: v.feeRate },
      });
    await tx.sweepBatch.updateMany({ where: { id: v.id, confirmedAt: null }, data: { confirmedAt: now } });
  });
}

/**
 * Replaces a stuck (unconfirmed) batch by one spending the same inputs to the same address at a
 * higher fee rate (BIP125; every input signals it): stored before it is sent, like the first
 * version. Refused when the new fee would exceed BTC_FORWARD_MAX_FEE_PERCENT, or when the batch
 * already confirmed or was replaced. `feeRate` (sat/vB) overrides the computed rate.
 */
export async function bumpSweepBatch(
  batchId: string,
  opts: { chain?: ForwardChain; now?: Date; feeRate?: string } = {},
): Promise<{ batchId: string; txid: string; feeSats: string; feeRate: string; replaced: string }> {
  const hot = hotSettings();
  if (!hot) throw new AppError("conflict", "Sweeps are bumped only in hot-wallet mode.");
  const e = env();
  const chain: ForwardChain = opts.chain ?? (await chainClient());
  const now = opts.now ?? new Date();
  const old = await db.sweepBatch.findUnique({ where: { id: batchId }, include: { parts: { include: { checkout: { select: { derivationIndex: true } } } } } });
  if (!old) throw new AppError("not_found", "No such sweep.");
  if (old.replacedById) throw new AppError("conflict", "This sweep was already replaced by a bump.");
  if (old.confirmedAt) throw new AppError("conflict", "This sweep is confirmed: nothing to bump.");
  const status = await chain.txStatus(old.txid);
  if (status?.confirmed) throw new AppError("conflict", "This sweep is confirmed: nothing to bump.");

  const indexOf = new Map<string, number>();
  for (const p of old.parts) for (const o of p.inputs) indexOf.set(o, p.checkout.derivationIndex ?? -1);
  const outputs = await db.chainOutput.findMany({
    where: { OR: old.inputs.map((o) => ({ txid: o.split(":")[0]!, vout: Number(o.split(":")[1]) })) },
    select: { txid: true, vout: true, sats: true },
  });
  const value = new Map(outputs.map((o) => [`${o.txid}:${o.vout}`, o.sats]));
  const utxos: IndexedUtxo[] = old.inputs.map((o) => {
    const [txid, vout] = o.split(":");
    const v = value.get(o);
    const index = indexOf.get(o);
    if (v === undefined || index === undefined || index < 0) throw new Error(`sweep ${old.txid} input ${o} has no recorded output or key`);
    return { txid: txid!, vout: Number(vout), value: v, index };
  });
  const total = utxos.reduce((s, u) => s + u.value, 0n);
  const feeRate = opts.feeRate ?? bumpFeeRate(old.feeRate, pickFeeRate(await chain.feeEstimates(), e.BTC_FORWARD_FEE_TARGET));
  let built;
  try {
    built = buildBatchSweep({ wallet: hot.wallet, utxos, toAddress: old.toAddress, feeRateSatPerVb: feeRate, network: hot.network });
  } catch (err) {
    if (err instanceof HotWalletError) throw new AppError("conflict", `Cannot bump: ${err.message}`);
    throw err;
  }
  if (built.fee <= old.feeSats)
    throw new AppError("conflict", `Cannot bump: ${feeRate} sat/vB pays ${built.fee} sats, not more than the ${old.feeSats} sats paid now.`);
  if (built.fee * 10_000n > percentToBps(e.BTC_FORWARD_MAX_FEE_PERCENT) * total)
    throw new AppError(
      "conflict",
      `Cannot bump: ${built.fee} sats at ${feeRate} sat/vB would be more than BTC_FORWARD_MAX_FEE_PERCENT=${e.BTC_FORWARD_MAX_FEE_PERCENT} % of the ${total} sats swept.`,
    );
  const sweep = built;
  const newId = await db.$transaction(async (tx) => {
    const next = await tx.sweepBatch.create({
      data: {
        txid: sweep.txid,
        hex: sweep.hex,
        inputs: old.inputs,
        feeSats: sweep.fee,
        amountSats: sweep.amount,
        feeRate,
        vsize: sweep.vsize,
        toAddress: old.toAddress,
      },
    });
    // Compare-and-set: only one bump replaces a version.
    const swapped = await tx.sweepBatch.updateMany({ where: { id: old.id, replacedById: null, confirmedAt: null }, data: { replacedById: next.id } });
    if (swapped.count !== 1) throw new AppError("conflict", "This sweep was already replaced by a bump.");
    const parts = [...old.parts].sort((a, b) => (a.id < b.id ? -1 : 1));
    const shares = feeShares(
      parts.map((p) => ({ utxos: [{ value: p.amountSats + p.feeSats }] })),
      sweep.fee,
    );
    for (const [i, p] of parts.entries())
      await tx.sweepTransaction.update({
        where: { id: p.id },
        data: {
          batchId: next.id,
          txid: sweep.txid,
          feeSats: shares[i]!,
          amountSats: p.amountSats + p.feeSats - shares[i]!,
          feeRate,
          broadcastAt: null,
          error: null,
        },
      });
    return next.id;
  });
  log.info({ batchId: newId, txid: sweep.txid, replaced: old.txid, feeSats: sweep.fee.toString(), feeRate }, "forward: sweep bumped (RBF)");
  await advanceBatch(newId, { chain, now });
  return { batchId: newId, txid: sweep.txid, feeSats: sweep.fee.toString(), feeRate, replaced: old.txid };
}

/** The Rail.afterCredit answer: what happened, whether to look again, and the facts for the core. */
export async function forwardAfterCredit(
  checkout: Pick<CheckoutSnapshot, "id" | "status">,
  now: Date,
  opts: { chain?: ForwardChain; force?: boolean } = {},
): Promise<AfterCreditResult> {
  const r = await forwardCheckout(checkout, { ...opts, now });
  const facts: Fact[] = [];
  if (r.outcome === "forwarded")
    facts.push({
      kind: "forwarded",
      message: `${r.amountSats} sats forwarded to ${bitcoinSettings().forwardAddress} in ${r.txid.slice(0, 12)}… (fee ${r.feeSats} sats)`,
      data: { txid: r.txid, amountSats: r.amountSats, feeSats: r.feeSats },
    });
  if (r.outcome === "late_forwarded")
    facts.push({
      kind: "note",
      message: `${r.amountSats} sats paid after crediting forwarded to ${bitcoinSettings().forwardAddress} in ${r.txid.slice(0, 12)}… (fee ${r.feeSats} sats)`,
      data: { txid: r.txid, amountSats: r.amountSats, feeSats: r.feeSats, seq: r.seq },
    });
  if (r.outcome === "waiting" && r.firstNotice)
    facts.push({ kind: "note", message: `forwarding of ${r.sats} sats is ${r.reason}`, data: { sats: r.sats, reason: r.reason } });
  const { outcome, ...detail } = r;
  return { outcome, again: outcome === "broadcast", facts, detail: detail as Record<string, string | number | null> };
}

/**
 * The fee rate for `target` blocks from the backend's estimates: the exact target if present,
 * else the nearest faster one (higher fee, so it still confirms in time), else the slowest
 * known. At least 1 sat/vB (the default minimum relay fee). A decimal string for storage.
 */
export function pickFeeRate(estimates: FeeEstimates, target: number): string {
  const targets = Object.keys(estimates)
    .map(Number)
    .filter((n) => Number.isInteger(n))
    .sort((a, b) => a - b);
  if (targets.length === 0) throw new AppError("unavailable", "The chain backend returned no fee estimates.");
  const chosen = targets.includes(target) ? target : ([...targets].reverse().find((t) => t < target) ?? targets[0]!);
  const rate = Math.max(1, estimates[String(chosen)] ?? 1);
  return (Math.ceil(rate * 1000) / 1000).toString();
}
