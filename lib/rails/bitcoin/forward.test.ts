import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { reconcile } from "@/lib/lifecycle/reconcile";
import { chainClient, simulator } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { networkParams } from "@/lib/rails/bitcoin/networks";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { expectValidP2wpkhSignatures } from "@/test/bip143";
import { ABANDON, newCheckout, regtest } from "@/test/bitcoin";
import { forwardCheckout } from "@/test/rails";
import { type ForwardChain, pickFeeRate, sweepHotWallet, WAIT_RECHECK_MS } from "./forward";

// Hot-wallet forwarding on regtest with the in-process simulator: the sweep is stored before
// it is broadcast, a crash after storing re-broadcasts the same transaction, and the chain
// never sees a second spend of the checkout's outputs.

const FORWARD = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);
let chain: Chain;

beforeAll(async () => {
  chain = await regtest({
    BTC_ADDRESS_SOURCE: "hot",
    BTC_HOT_SEED: ABANDON,
    BTC_FORWARD_ADDRESS: FORWARD,
    BTC_FORWARD_FEE_TARGET: "6",
    BTC_FORWARD_MAX_FEE_PERCENT: "10",
  });
});
afterAll(async () => {
  await (await simulator())?.close();
});

/** Every transaction the simulator knows that spends one of these outpoints. */
function spendersOf(outpoints: string[]): string[] {
  const found = new Set<string>();
  const all = [...chain.mempoolTxids(), ...chain.blocks.flatMap((b) => b.txids)];
  for (const txid of all) {
    const tx = chain.getTx(txid)!;
    if (tx.vin.some((i) => outpoints.includes(`${i.txid}:${i.vout}`))) found.add(txid);
  }
  return [...found];
}

/** A hot-wallet checkout paid with `payments`, confirmed and credited — not yet forwarded. */
async function creditedHotCheckout(payments: bigint[]) {
  const { user, checkout } = await newCheckout();
  expect(checkout.address).toBe(bitcoinSettings().hot!.address(checkout.derivationIndex!));
  for (const sats of payments) chain.pay([{ address: checkout.address!, sats }]);
  chain.mine(3);
  expect(await observeCheckout(checkout.id)).toMatchObject({ status: "paid" });
  expect(await creditCheckout(checkout.id)).toMatchObject({ outcome: "credited" });
  return { user, checkout };
}

describe("forwardCheckout (hot wallet, regtest simulator)", () => {
  it("crash after the signed sweep is stored: the same txid is broadcast on the next run and no other spend exists", async () => {
    const { checkout } = await creditedHotCheckout([12_000n, 8_000n]);
    const outputs = await db.chainOutput.findMany({ where: { checkoutId: checkout.id } });
    const outpoints = outputs.map((o) => `${o.txid}:${o.vout}`).sort();
    expect(outpoints).toHaveLength(2);

    const real = await chainClient();
    let broadcasts = 0;
    const crashing: ForwardChain = {
      addressUtxos: (a) => real.addressUtxos(a),
      feeEstimates: () => real.feeEstimates(),
      txStatus: (id) => real.txStatus(id),
      broadcast: async () => {
        broadcasts++;
        throw new Error("process killed right after storing the sweep");
      },
    };
    await expect(forwardCheckout(checkout.id, { chain: crashing })).rejects.toThrow(/process killed/);
    expect(broadcasts).toBe(1);
    const stored = await db.sweepTransaction.findUniqueOrThrow({ where: { checkoutId_seq: { checkoutId: checkout.id, seq: 0 } } });
    expect(stored).toMatchObject({ broadcastAt: null, confirmedAt: null, attempts: 1, toAddress: FORWARD, feeRate: "6.2" });
    expect(stored.error).toMatch(/process killed/);
    const batch = await db.sweepBatch.findUniqueOrThrow({ where: { id: stored.batchId! } });
    expect(batch).toMatchObject({ txid: stored.txid, broadcastAt: null, attempts: 1 });
    expect([...stored.inputs].sort()).toEqual(outpoints);
    expect(spendersOf(outpoints)).toEqual([]); // nothing reached the network

    // the fee market moves before the retry: a rebuilt sweep would differ, the stored one must be used
    chain.feeEstimates = { ...chain.feeEstimates, "6": 9.9 };
    try {
      const again = await forwardCheckout(checkout.id);
      expect(again).toMatchObject({ outcome: "broadcast", txid: stored.txid });
      expect(chain.mempoolTxids()).toContain(stored.txid);
      expect(spendersOf(outpoints)).toEqual([stored.txid]);

      // a crash after the broadcast but before it was recorded: re-broadcasting is "already known"
      expect(await real.broadcast(batch.hex)).toMatchObject({ status: "already_known", txid: stored.txid });
      expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "broadcast", txid: stored.txid });
      expect(spendersOf(outpoints)).toEqual([stored.txid]);
    } finally {
      chain.feeEstimates = { ...chain.feeEstimates, "6": 6.2 };
    }

    // confirmed ⇒ credited → forwarded, once
    chain.mine(1);
    expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "forwarded", txid: stored.txid });
    expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "already_forwarded", txid: stored.txid });
    const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { sweeps: true } });
    expect(row.status).toBe("forwarded");
    expect(row.forwardedAt).not.toBeNull();
    expect(row.sweeps[0]!.confirmedAt).not.toBeNull();
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id, toStatus: "forwarded" } })).toBe(1);
    expect(spendersOf(outpoints)).toEqual([stored.txid]);
  });

  it("the sweep spends exactly the checkout's outputs to BTC_FORWARD_ADDRESS, and its signatures validate", async () => {
    const { checkout } = await creditedHotCheckout([15_000n, 5_000n, 1_000n]);
    const r = await forwardCheckout(checkout.id);
    expect(r.outcome).toBe("broadcast");
    const stored = await db.sweepTransaction.findUniqueOrThrow({ where: { checkoutId_seq: { checkoutId: checkout.id, seq: 0 } } });
    const outputs = await db.chainOutput.findMany({ where: { checkoutId: checkout.id } });
    const { hex: raw } = await db.sweepBatch.findUniqueOrThrow({ where: { id: stored.batchId! } });
    const tx = Transaction.fromRaw(hex.decode(raw));
    expect(tx.id).toBe(stored.txid);

    const spent = Array.from({ length: tx.inputsLength }, (_, i) => `${hex.encode(tx.getInput(i).txid!)}:${tx.getInput(i).index}`).sort();
    expect(spent).toEqual(outputs.map((o) => `${o.txid}:${o.vout}`).sort());
    expect(tx.outputsLength).toBe(1);
    expect(tx.getOutputAddress(0, networkParams("regtest").signer)).toBe(FORWARD);
    const total = outputs.reduce((s, o) => s + o.sats, 0n);
    expect(total).toBe(21_000n);
    expect(tx.getOutput(0).amount).toBe(stored.amountSats);
    expect(stored.amountSats + stored.feeSats).toBe(total);
    // ⌈vsize × 6.2⌉ for a 3-in 1-out P2WPKH sweep
    expect(Number(stored.feeSats)).toBeGreaterThanOrEqual(Math.ceil(tx.vsize * 6.2));

    const prevouts = Array.from({ length: tx.inputsLength }, (_, i) => {
      const input = tx.getInput(i);
      const o = outputs.find((x) => x.txid === hex.encode(input.txid!) && x.vout === input.index)!;
      return { txid: o.txid, vout: o.vout, value: o.sats };
    });
    expectValidP2wpkhSignatures(raw, prevouts, bitcoinSettings().hot!.publicKey(checkout.derivationIndex!));
  });

  it("fees above BTC_FORWARD_MAX_FEE_PERCENT: the funds wait (said once on the timeline), and a later sweep takes them once fees drop", async () => {
    const { checkout } = await creditedHotCheckout([20_000n]);
    chain.feeEstimates = { ...chain.feeEstimates, "6": 40 }; // 110 vB × 40 = 4,400 sats: 22 % of 20,000
    try {
      const r = await forwardCheckout(checkout.id);
      expect(r).toMatchObject({ outcome: "waiting", again: false, sats: "20000" });
      // its one input alone: 68 vB × 40 sat/vB, before the transaction's fixed part
      expect(r.reason).toBe(
        "waiting for cheaper fees: spending its 1 output(s) of 20000 sats costs 2720 sats at 40 sat/vB (13.6 %, above BTC_FORWARD_MAX_FEE_PERCENT=10)",
      );
      expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "waiting" }); // looked again: no second note
    } finally {
      chain.feeEstimates = { ...chain.feeEstimates, "6": 6.2 };
    }
    const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { sweeps: true, sweepWait: true, events: true } });
    expect(row).toMatchObject({ status: "credited", needsAttention: false, sweeps: [] });
    expect(row.sweepWait).toMatchObject({ sats: 20_000n });
    expect(row.events.filter((e) => e.message.startsWith("forwarding of 20000 sats is waiting for cheaper fees"))).toHaveLength(1);
    expect(chain.utxos(checkout.address!)).toHaveLength(1); // nothing spent, nothing lost

    // Cheaper blocks: within the wait's re-check time the checkout's own run does not look again; after it, it sweeps.
    expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "waiting" });
    expect(await forwardCheckout(checkout.id, { now: new Date(Date.now() + WAIT_RECHECK_MS) })).toMatchObject({ outcome: "broadcast" });
    expect(await db.sweepWait.count({ where: { checkoutId: checkout.id } })).toBe(0);
    chain.mine(1);
    expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "forwarded" });
  });

  it("the reconciler forwards on its own: credit and broadcast, then forwarded after a block", async () => {
    const { user, checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
    chain.mine(3);
    const later = new Date(Date.now() + 10_000);
    const first = await reconcile({ now: later });
    expect(first.credited).toBeGreaterThanOrEqual(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(500);
    const sweep = await db.sweepTransaction.findUniqueOrThrow({ where: { checkoutId_seq: { checkoutId: checkout.id, seq: 0 } } });
    expect(sweep.broadcastAt).not.toBeNull();
    chain.mine(1);
    const second = await reconcile({ now: new Date(later.getTime() + 10_000) });
    expect(second.forwarded).toBeGreaterThanOrEqual(1);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).status).toBe("forwarded");
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "forwarded", did: [] });
  });

  it("never signs for an address this hot wallet did not derive (a checkout another server's wallet handed out)", async () => {
    // A second server with another seed on the same database (or a configuration changed
    // from xpub to hot): the checkout's address belongs to another wallet. Signing with this
    // wallet's key at the same index would be a transaction nobody should broadcast.
    const { checkout } = await creditedHotCheckout([20_000n]);
    const foreign = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(7);
    const paid = chain.pay([{ address: foreign, sats: 9_000n }]);
    chain.mine(1);
    await db.checkout.update({ where: { id: checkout.id }, data: { address: foreign } });
    expect(await forwardCheckout(checkout.id)).toMatchObject({ outcome: "not_applicable", reason: expect.stringMatching(/not derived by this hot wallet/) });
    expect(await db.sweepTransaction.count({ where: { checkoutId: checkout.id } })).toBe(0);
    // Nor does a batch started by any other checkout take it, even once its output is recorded.
    await db.chainOutput.create({ data: { checkoutId: checkout.id, txid: paid, vout: 0, sats: 9_000n, blockHeight: chain.height } });
    await sweepHotWallet();
    expect(await db.sweepTransaction.count({ where: { checkoutId: checkout.id } })).toBe(0);
    expect(chain.utxos(foreign)).toHaveLength(1);
  });

  it("picks the fee rate for the target, or the nearest faster one", () => {
    const est = { "1": 20.5, "3": 12, "6": 6.2, "144": 1.2 };
    expect(pickFeeRate(est, 6)).toBe("6.2");
    expect(pickFeeRate(est, 10)).toBe("6.2");
    expect(pickFeeRate(est, 4)).toBe("12");
    expect(pickFeeRate({ "144": 0.5 }, 6)).toBe("1");
  });
});
