import { randomUUID } from "node:crypto";
import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { afterAll, describe, expect, it } from "vitest";
import { bumpForwardingFee } from "@/lib/admin/actions";
import { paymentDetail } from "@/lib/admin/detail";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { chainClient, simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { addressOutputScript } from "@/lib/rails/bitcoin/networks";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { expectValidP2wpkhSignatures } from "@/test/bip143";
import { ABANDON, createBtcCheckout, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { forwardCheckout } from "@/test/rails";
import { feeShares, planBatch, RBF_SEQUENCE, type SweepGroup } from "./batch-sweep";
import { bumpSweepBatch, type ForwardChain, sweepHotWallet } from "./forward";

// Batched, fee-aware sweeps (issue 10, item 5) on the regtest simulator: the confirmed outputs
// of many credited $5 checkouts leave in ONE transaction, which pays less in fees than one
// sweep per checkout and never more than BTC_FORWARD_MAX_FEE_PERCENT of what it sweeps; a
// crash between storing the batch and sending it, or two sweeps at once, still spend every
// input exactly once.

const FORWARD = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);
const HOT = {
  BTC_ADDRESS_SOURCE: "hot",
  BTC_HOT_SEED: ABANDON,
  BTC_FORWARD_ADDRESS: FORWARD,
  BTC_FORWARD_FEE_TARGET: "144", // the simulator's 1.2 sat/vB
  BTC_FORWARD_MAX_FEE_PERCENT: "5",
  BTC_FORWARD_BATCH_MAX: "100",
  BTC_FORWARD_BATCH_WINDOW_MINUTES: "0",
  BTC_FORWARD_BUMP_AFTER_BLOCKS: "0",
};
const FIVE_DOLLARS = "sweeps-five-usd"; // 5,000 sats at the tests' fixed 100,000 USD/BTC

afterAll(async () => {
  await (await simulator())?.close();
});

/** `n` hot-wallet checkouts of $5, each paid by its own transaction, confirmed and credited. */
async function creditedFiveDollarCheckouts(chain: Chain, n: number) {
  await db.creditPackage.upsert({
    where: { slug: FIVE_DOLLARS },
    update: {},
    create: { slug: FIVE_DOLLARS, name: "Five", credits: 100, priceMinor: 500, currency: "USD", sortOrder: 90 },
  });
  const user = await createUser();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await createBtcCheckout(user.id, FIVE_DOLLARS);
    const c = await db.checkout.findUniqueOrThrow({ where: { id } });
    expect(c.expectedAmount).toBe(5_000n);
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    ids.push(id);
  }
  chain.mine(3);
  for (const id of ids) {
    expect(await observeCheckout(id)).toMatchObject({ status: "paid" });
    expect(await creditCheckout(id)).toMatchObject({ outcome: "credited" });
  }
  const outputs = await db.chainOutput.findMany({ where: { checkoutId: { in: ids } } });
  expect(outputs).toHaveLength(n);
  return { ids, outpoints: outputs.map((o) => `${o.txid}:${o.vout}`) };
}

/** Every transaction the simulator knows (mempool and blocks) that spends this outpoint. */
function spendersOf(chain: Chain, outpoint: string): string[] {
  const all = [...chain.mempoolTxids(), ...chain.blocks.flatMap((b) => b.txids)];
  return all.filter((txid) => chain.getTx(txid)!.vin.some((i) => `${i.txid}:${i.vout}` === outpoint));
}

const sweepTxids = async (ids: string[]) => [...new Set((await db.sweepTransaction.findMany({ where: { checkoutId: { in: ids } } })).map((s) => s.txid))];

describe("batched sweeps (regtest simulator)", () => {
  it("10 × $5 checkouts: one batched sweep pays less in fees than 10 single sweeps, within BTC_FORWARD_MAX_FEE_PERCENT", async () => {
    // 10 single sweeps: what one-checkout-per-transaction forwarding pays (a batch of one).
    let chain = await regtest({ ...HOT, BTC_FORWARD_BATCH_MAX: "1" });
    const singles = await creditedFiveDollarCheckouts(chain, 10);
    expect(await sweepHotWallet()).toMatchObject({ outcome: "stored", checkouts: 1, waiting: 0 }); // the run built all ten, one by one
    const singleTxids = await sweepTxids(singles.ids);
    expect(singleTxids).toHaveLength(10);
    const singleFees = singleTxids.map((t) => chain.fee(chain.getTx(t)!));
    const singleSum = singleFees.reduce((s, f) => s + f, 0n);

    // The same ten, batched: the first checkout's forwarding run takes everyone's confirmed outputs.
    chain = await regtest(HOT);
    const batched = await creditedFiveDollarCheckouts(chain, 10);
    for (const id of batched.ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "broadcast" });
    const [batchTxid, ...others] = await sweepTxids(batched.ids);
    expect(others).toEqual([]);
    const tx = chain.getTx(batchTxid!)!;
    const batchFee = chain.fee(tx);
    const value = 10n * 5_000n;

    console.log(
      `fees for 10 × 5,000 sats at 1.2 sat/vB: 10 single sweeps ${singleSum} sats (${singleFees.join(" + ")}), one batch ${batchFee} sats ` +
        `(${tx.vin.length} inputs, ${Math.ceil(tx.weight / 4)} vB): ${(Number(batchFee) / 500).toFixed(2)} % vs ${(Number(singleSum) / 500).toFixed(2)} % of the value`,
    );
    expect(batchFee).toBeLessThan(singleSum);
    expect(batchFee * 100n).toBeLessThanOrEqual(5n * value); // ≤ BTC_FORWARD_MAX_FEE_PERCENT
    for (const f of singleFees) expect(f * 100n).toBeLessThanOrEqual(5n * 5_000n);

    // One transaction, every checkout's output in, one output to BTC_FORWARD_ADDRESS, every signature valid.
    expect(tx.vin.map((i) => `${i.txid}:${i.vout}`).sort()).toEqual([...batched.outpoints].sort());
    expect(tx.vout).toHaveLength(1);
    expect(tx.vout[0]).toMatchObject({ address: FORWARD, value: value - batchFee });
    const batch = await db.sweepBatch.findUniqueOrThrow({ where: { txid: batchTxid! } });
    const raw = Transaction.fromRaw(hex.decode(batch.hex));
    const prevouts = [];
    const keys = [];
    for (let i = 0; i < raw.inputsLength; i++) {
      const input = raw.getInput(i);
      expect(input.sequence).toBe(RBF_SEQUENCE); // opt-in RBF: a stuck batch can be bumped
      const o = await db.chainOutput.findFirstOrThrow({ where: { txid: hex.encode(input.txid!), vout: input.index! }, include: { checkout: true } });
      prevouts.push({ txid: o.txid, vout: o.vout, value: o.sats });
      keys.push(hotWalletFromSeed(ABANDON, "regtest").publicKey(o.checkout.derivationIndex!));
    }
    expectValidP2wpkhSignatures(batch.hex, prevouts, keys); // each input signed by its own checkout's key

    // Each checkout's part: its 5,000 sats less its share of the fee; the shares add up to the fee.
    const parts = await db.sweepTransaction.findMany({ where: { checkoutId: { in: batched.ids } } });
    expect(parts.every((p) => p.amountSats + p.feeSats === 5_000n && p.seq === 0 && p.batchId === batch.id)).toBe(true);
    expect(parts.reduce((s, p) => s + p.feeSats, 0n)).toBe(batchFee);
    expect((await paymentDetail(batched.ids[0]!))?.sweeps[0]?.batch).toMatchObject({ checkouts: 10, inputs: 10, feeSats: batchFee });

    chain.mine(1);
    for (const id of batched.ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded", txid: batchTxid });
    const rows = await db.checkout.findMany({ where: { id: { in: batched.ids } }, include: { events: true } });
    expect(rows.every((r) => r.status === "forwarded")).toBe(true);
    expect(rows.every((r) => r.events.filter((e) => e.toStatus === "forwarded").length === 1)).toBe(true);
  });

  it("a crash between storing the batch and sending it: the re-run sends the stored transaction, and every input is spent exactly once", async () => {
    const chain = await regtest(HOT);
    const { ids, outpoints } = await creditedFiveDollarCheckouts(chain, 10);
    const real = await chainClient();
    const crashing: ForwardChain = {
      addressUtxos: (a) => real.addressUtxos(a),
      feeEstimates: () => real.feeEstimates(),
      txStatus: (t) => real.txStatus(t),
      broadcast: async () => {
        throw new Error("process killed after the batch was stored");
      },
    };
    await expect(sweepHotWallet({ chain: crashing })).rejects.toThrow(/process killed/);
    const batch = await db.sweepBatch.findFirstOrThrow({ where: { parts: { some: { checkoutId: ids[0]! } } }, include: { parts: true } });
    expect(batch).toMatchObject({ broadcastAt: null, attempts: 1, confirmedAt: null });
    expect(batch.parts.map((p) => p.checkoutId).sort()).toEqual([...ids].sort());
    expect(await db.sweepInput.count({ where: { outpoint: { in: outpoints } } })).toBe(10);
    for (const o of outpoints) expect(spendersOf(chain, o)).toEqual([]); // nothing reached the network

    // The fee market moved: a rebuilt batch would differ, so only the stored one may be sent.
    // Every checkout's run (the reconciler's pool, a buyer's page) at once, then a second sweep.
    chain.feeEstimates = { ...chain.feeEstimates, "144": 3.3 };
    await Promise.all(ids.map((id) => forwardCheckout(id)));
    expect(await sweepHotWallet()).toMatchObject({ outcome: "nothing_to_sweep" });
    for (const o of outpoints) expect(spendersOf(chain, o)).toEqual([batch.txid]);
    chain.mine(1);
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded", txid: batch.txid });
    for (const o of outpoints) expect(spendersOf(chain, o)).toEqual([batch.txid]);
    expect(await db.sweepBatch.count({ where: { inputs: { hasSome: outpoints } } })).toBe(1);
  });

  it("two sweeps at the same moment store one batch: every input is spent exactly once", async () => {
    const chain = await regtest(HOT);
    const { ids, outpoints } = await creditedFiveDollarCheckouts(chain, 6);
    const runs = await Promise.all([sweepHotWallet(), sweepHotWallet(), sweepHotWallet()]);
    expect(runs.filter((r) => r.outcome === "stored")).toHaveLength(1);
    expect(runs.map((r) => r.outcome).sort()).toEqual(expect.arrayContaining(["stored"]));
    expect(await sweepTxids(ids)).toHaveLength(1);
    for (const o of outpoints) expect(spendersOf(chain, o)).toHaveLength(1);
  });

  it("funds a batch cannot sweep within the fee share wait, visible with the reason; the others go", async () => {
    const chain = await regtest({ ...HOT, BTC_FORWARD_FEE_TARGET: "6" }); // 6.2 sat/vB: a $5 input alone costs 8.4 %
    const { ids } = await creditedFiveDollarCheckouts(chain, 2);
    const user = await createUser();
    const { id: big } = await createBtcCheckout(user.id, "medium"); // $20
    const c = await db.checkout.findUniqueOrThrow({ where: { id: big } });
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    chain.mine(3);
    await observeCheckout(big);
    await creditCheckout(big);

    const run = await sweepHotWallet();
    expect(run).toMatchObject({ outcome: "stored", checkouts: 1, waiting: 2 });
    expect(await sweepTxids([big])).toHaveLength(1);
    const waits = await db.sweepWait.findMany({ where: { checkoutId: { in: ids } } });
    expect(waits).toHaveLength(2);
    for (const w of waits)
      expect(w.reason).toMatch(/^waiting for cheaper fees: spending its 1 output\(s\) of 5000 sats costs 421 sats at 6\.2 sat\/vB \(8\.42 %/);
    expect(await db.sweepTransaction.count({ where: { checkoutId: { in: ids } } })).toBe(0);

    // What the admin's payment page shows.
    const waiting = await paymentDetail(ids[0]!);
    expect(waiting?.sweepWait).toMatchObject({ sats: 5_000n, reason: waits[0]!.reason });
    expect(waiting?.sweeps).toEqual([]);
    const swept = await paymentDetail(big);
    expect(swept?.sweepWait).toBeNull();
    expect(swept?.sweeps[0]?.batch).toMatchObject({ checkouts: 1, inputs: 1, replaces: null });
  });
});

describe("what the chain does not have is never signed", () => {
  it("an output recorded as confirmed that the chain no longer has unspent: no sweep, a wait that says why", async () => {
    const chain = await regtest(HOT);
    const { ids } = await creditedFiveDollarCheckouts(chain, 1);
    chain.reorg(3, { drop: true }); // the observer has not looked since
    chain.mine(3);
    expect(await forwardCheckout(ids[0]!)).toMatchObject({
      outcome: "waiting",
      reason: "waiting for the chain: its recorded outputs are not confirmed and unspent there",
    });
    expect(await db.sweepTransaction.count({ where: { checkoutId: ids[0]! } })).toBe(0);
    expect(chain.mempoolTxids()).toEqual([]);
  });
});

describe("BTC_FORWARD_BATCH_WINDOW_MINUTES", () => {
  it("credited funds wait for others until the oldest has waited the window, then leave in one batch", async () => {
    const chain = await regtest({ ...HOT, BTC_FORWARD_BATCH_WINDOW_MINUTES: "30" });
    const t0 = new Date();
    const first = await creditedFiveDollarCheckouts(chain, 2);
    expect(await forwardCheckout(first.ids[0]!, { now: t0 })).toMatchObject({
      outcome: "waiting",
      reason: `collecting a batch until ${new Date(t0.getTime() + 30 * 60_000).toISOString()} (BTC_FORWARD_BATCH_WINDOW_MINUTES=30)`,
    });
    const later = await creditedFiveDollarCheckouts(chain, 2);
    expect(await sweepHotWallet({ now: new Date(t0.getTime() + 20 * 60_000) })).toMatchObject({ outcome: "nothing_to_sweep", waiting: 4 });
    const run = await sweepHotWallet({ now: new Date(t0.getTime() + 30 * 60_000) });
    expect(run).toMatchObject({ outcome: "stored", checkouts: 4, inputs: 4, waiting: 0 });
    expect(await sweepTxids([...first.ids, ...later.ids])).toHaveLength(1);
    expect(await db.sweepWait.count({ where: { checkoutId: { in: [...first.ids, ...later.ids] } } })).toBe(0);
  });
});

describe("planBatch and feeShares", () => {
  const toScript = addressOutputScript(FORWARD, "regtest", "forward address");
  const group = (checkoutId: string, ...values: bigint[]): SweepGroup => ({
    checkoutId,
    utxos: values.map((value, i) => ({ txid: checkoutId.padEnd(64, "0"), vout: i, value, index: 0 })),
  });

  it("the fee share counts the whole transaction: a lone small payment waits even when its inputs alone would fit", () => {
    const plan = planBatch([group("a", 5_000n)], { feeRate: "2", maxFeeBps: 400n, maxInputs: 100, toScript, maxPercent: "4" });
    // its input: 68 vB × 2 = 136 sats, 2.7 %; the whole 110 vB transaction: 220 sats, 4.4 %
    expect(plan.take).toEqual([]);
    expect(plan.wait[0]!.reason).toBe(
      "waiting for cheaper fees: the batch of 5000 sats would pay 220 sats in fees at 2 sat/vB (4.4 %, above BTC_FORWARD_MAX_FEE_PERCENT=4)",
    );
    // with a second payment the fixed part is shared: both go
    const two = planBatch([group("a", 5_000n), group("b", 5_000n)], { feeRate: "2", maxFeeBps: 400n, maxInputs: 100, toScript, maxPercent: "4" });
    expect(two.take.map((g) => g.checkoutId)).toEqual(["a", "b"]);
    expect(two.feeSats * 10_000n).toBeLessThanOrEqual(400n * two.valueSats);
  });

  it("BTC_FORWARD_BATCH_MAX: largest first; the rest is marked for the next batch", () => {
    const plan = planBatch([group("a", 9_000n), group("b", 50_000n, 1_000n), group("c", 20_000n)], {
      feeRate: "1",
      maxFeeBps: 500n,
      maxInputs: 3,
      toScript,
      maxPercent: "5",
    });
    expect(plan.take.map((g) => g.checkoutId)).toEqual(["b", "c"]);
    expect(plan.wait).toMatchObject([{ group: { checkoutId: "a" }, full: true }]);
  });

  it("fee shares add up to the fee exactly, each at least 1 sat, in proportion to value", () => {
    const shares = feeShares([group("a", 5_000n), group("b", 15_000n), group("c", 1n)], 867n);
    expect(shares.reduce((s, v) => s + v, 0n)).toBe(867n);
    expect(shares.every((s) => s >= 1n)).toBe(true);
    expect(shares[1]! > shares[0]!).toBe(true);
  });
});

describe("RBF: a stuck batch is replaced by one paying more", () => {
  const stuckBatch = async (n: number, extra: Record<string, string> = {}) => {
    const chain = await regtest({ ...HOT, BTC_FORWARD_MAX_FEE_PERCENT: "10", ...extra });
    const { ids, outpoints } = await creditedFiveDollarCheckouts(chain, n);
    const run = await sweepHotWallet();
    if (run.outcome !== "stored") throw new Error(`expected a stored batch, got ${run.outcome}`);
    chain.mine(3, { minFeeRate: 2 }); // miners take only ≥ 2 sat/vB: the 1.2 sat/vB batch stays behind
    expect(chain.mempoolTxids()).toEqual([run.txid]);
    return { chain, ids, outpoints, run };
  };

  it("bumped by hand: same inputs and output at a higher rate, stored first; the parts follow it; every input spent once", async () => {
    const { chain, ids, outpoints, run } = await stuckBatch(4);
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "broadcast", txid: run.txid });

    // Never above the fee share: 50 sat/vB would be 14,500 sats of 20,000.
    await expect(bumpSweepBatch(run.batchId, { feeRate: "50" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/BTC_FORWARD_MAX_FEE_PERCENT=10/),
    });
    const bumped = await bumpSweepBatch(run.batchId);
    expect(bumped).toMatchObject({ replaced: run.txid, feeRate: "2.2" }); // max(estimate 1.2, 1.5 × 1.2, 1.2 + 1)
    await expect(bumpSweepBatch(run.batchId)).rejects.toMatchObject({ code: "conflict" });

    const next = chain.getTx(bumped.txid)!;
    expect(chain.getTx(run.txid)).toBeUndefined(); // replaced in the mempool
    expect(next.vin.map((i) => `${i.txid}:${i.vout}`).sort()).toEqual([...outpoints].sort());
    expect(next.vout).toMatchObject([{ address: FORWARD }]);
    expect(chain.fee(next)).toBe(BigInt(bumped.feeSats));
    expect(await db.sweepBatch.findUniqueOrThrow({ where: { id: run.batchId } })).toMatchObject({ replacedById: bumped.batchId });
    const parts = await db.sweepTransaction.findMany({ where: { checkoutId: { in: ids } } });
    expect(parts.every((p) => p.txid === bumped.txid && p.batchId === bumped.batchId && p.amountSats + p.feeSats === 5_000n)).toBe(true);
    expect(parts.reduce((s, p) => s + p.feeSats, 0n)).toBe(BigInt(bumped.feeSats));
    expect((await paymentDetail(ids[0]!))?.sweeps[0]?.batch).toMatchObject({ replaces: run.txid });

    chain.mine(1, { minFeeRate: 2 });
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded", txid: bumped.txid });
    for (const o of outpoints) expect(spendersOf(chain, o)).toEqual([bumped.txid]);
  });

  it("an admin bumps it from the payment page: audited, and only admins may", async () => {
    const { chain, ids, run } = await stuckBatch(2);
    expect(await forwardCheckout(ids[0]!)).toMatchObject({ outcome: "broadcast", txid: run.txid });
    expect((await paymentDetail(ids[0]!))?.can.bumpFee).toBe(true);
    const buyer = await createUser();
    await expect(bumpForwardingFee({ actorId: buyer.id, requestId: randomUUID(), reason: "stuck sweep" }, ids[0]!)).rejects.toMatchObject({
      code: "forbidden",
    });
    const admin = await createUser({ role: "admin" });
    const requestId = randomUUID();
    const out = await bumpForwardingFee({ actorId: admin.id, requestId, reason: "stuck sweep" }, ids[0]!);
    expect(out).toMatchObject({
      applied: true,
      message: expect.stringMatching(new RegExp(`^Sweep fee bumped \\(RBF\\): ${run.txid} replaced by [0-9a-f]{64} at 2\\.2 sat/vB`)),
    });
    expect(await db.auditLog.findFirstOrThrow({ where: { id: requestId } })).toMatchObject({ action: "checkout.forward_bump", targetId: ids[0] });
    chain.mine(1, { minFeeRate: 2 });
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded" });
    expect((await paymentDetail(ids[0]!))?.can.bumpFee).toBe(false);
  });

  it("bumped on its own after BTC_FORWARD_BUMP_AFTER_BLOCKS unconfirmed blocks", async () => {
    const { chain, ids, run } = await stuckBatch(3, { BTC_FORWARD_BUMP_AFTER_BLOCKS: "3" });
    const r = await forwardCheckout(ids[0]!);
    expect(r).toMatchObject({ outcome: "broadcast" });
    expect(r.txid).not.toBe(run.txid);
    expect(chain.mempoolTxids()).toEqual([r.txid]);
    chain.mine(1, { minFeeRate: 2 });
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded", txid: r.txid });
  });

  it("a crash between storing the bump and sending it, and then the old version confirms: that one is recorded, each input spent once", async () => {
    const { chain, ids, outpoints, run } = await stuckBatch(3);
    const real = await chainClient();
    const crashing: ForwardChain = {
      addressUtxos: (a) => real.addressUtxos(a),
      feeEstimates: () => real.feeEstimates(),
      txStatus: (t) => real.txStatus(t),
      broadcast: async () => {
        throw new Error("process killed after the bump was stored");
      },
    };
    await expect(bumpSweepBatch(run.batchId, { chain: crashing })).rejects.toThrow(/process killed/);
    const bump = await db.sweepBatch.findFirstOrThrow({ where: { replaces: { id: run.batchId } } });
    expect(bump).toMatchObject({ broadcastAt: null, attempts: 1 });

    chain.mine(1); // a miner takes the old version after all
    for (const id of ids) expect(await forwardCheckout(id)).toMatchObject({ outcome: "forwarded", txid: run.txid });
    const parts = await db.sweepTransaction.findMany({ where: { checkoutId: { in: ids } } });
    expect(parts.every((p) => p.txid === run.txid && p.batchId === run.batchId)).toBe(true);
    expect(parts.reduce((s, p) => s + p.feeSats, 0n)).toBe(BigInt(run.feeSats));
    for (const o of outpoints) expect(spendersOf(chain, o)).toEqual([run.txid]);
    expect(chain.getTx(bump.txid)).toBeUndefined(); // never reached the network
  });
});
