import { hex } from "@scure/base";
import { HDKey } from "@scure/bip32";
import * as btc from "@scure/btc-signer";
import { describe, expect, test } from "vitest";
import { BTC_NETWORKS, GENESIS_HASHES } from "../networks";
import { BroadcastError, CHAIN_TXS_PER_PAGE, Chain, ELSEWHERE_ADDRESS, GENESIS_HEADERS, headerHash, REGTEST, SimError } from "./chain";

const ALICE = regtestKey(1).address;
const BOB = regtestKey(2).address;

function regtestKey(i = 0) {
  const key = HDKey.fromMasterSeed(new Uint8Array(32).fill(1)).derive(`m/84'/1'/0'/0/${i}`);
  const pay = btc.p2wpkh(key.publicKey!, REGTEST);
  return { priv: key.privateKey!, pay, address: pay.address! };
}

function spend(
  chain: Chain,
  from: ReturnType<typeof regtestKey>,
  txid: string,
  vout: number,
  to: string,
  sats: bigint,
  claimedValue?: bigint, // lie about the input amount (the signer refuses to overspend otherwise)
  sequence?: number, // 0xfffffffd: opt-in RBF
) {
  const value = claimedValue ?? chain.getTx(txid)!.vout[vout]!.value;
  const tx = new btc.Transaction();
  tx.addInput({ txid, index: vout, witnessUtxo: { script: from.pay.script, amount: value }, ...(sequence === undefined ? {} : { sequence }) });
  tx.addOutputAddress(to, sats, REGTEST);
  tx.sign(from.priv);
  tx.finalize();
  return tx.hex;
}

describe("Chain", () => {
  test("starts at genesis with an empty mempool", () => {
    const c = new Chain();
    expect(c.height).toBe(0);
    expect(c.mempoolTxids()).toEqual([]);
    expect(c.tip.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test("pay puts a tx in the mempool; mine confirms it in the next block", () => {
    const c = new Chain();
    const txid = c.pay([{ address: ALICE, sats: 50_000n }]);
    expect(txid).toMatch(/^[0-9a-f]{64}$/);
    expect(c.status(txid)).toEqual({ confirmed: false });
    expect(c.addressTxs(ALICE)).toEqual([txid]);
    expect(c.utxos(ALICE)).toEqual([{ txid, vout: 0, value: 50_000n, status: { confirmed: false } }]);

    const [hash] = c.mine(3);
    expect(c.height).toBe(3);
    expect(c.blocks[1]!.txids).toEqual([txid]);
    expect(c.blocks[2]!.txids).toEqual([]);
    expect(c.status(txid)).toEqual({ confirmed: true, block_height: 1, block_hash: hash, block_time: c.blocks[1]!.time });
    expect(c.fee(c.getTx(txid)!)).toBe(1_000n);
  });

  test("txids and block hashes are deterministic across runs", () => {
    const run = () => {
      const c = new Chain();
      const t = c.pay([{ address: ALICE, sats: 1n }]);
      c.mine(1);
      return [t, c.tip.hash];
    };
    expect(run()).toEqual(run());
    const c = new Chain();
    expect(c.pay([{ address: ALICE, sats: 1n }])).not.toBe(c.pay([{ address: ALICE, sats: 1n }]));
  });

  test("multi-output pay and address stats", () => {
    const c = new Chain();
    c.pay([
      { address: ALICE, sats: 10n },
      { address: BOB, sats: 20n },
      { address: ALICE, sats: 5n },
    ]);
    c.mine();
    c.pay([{ address: ALICE, sats: 7n }]);
    const s = c.addressStats(ALICE);
    expect(s.chain_stats).toMatchObject({ funded_txo_count: 2, funded_txo_sum: 15n, tx_count: 1 });
    expect(s.mempool_stats).toMatchObject({ funded_txo_count: 1, funded_txo_sum: 7n, tx_count: 1 });
    expect(c.addressStats(BOB).chain_stats.funded_txo_sum).toBe(20n);
  });

  test("history is newest first and pages 25 at a time after last_seen", () => {
    const c = new Chain();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(c.pay([{ address: ALICE, sats: BigInt(i + 1) }]));
    c.mine();
    for (let i = 0; i < 30; i++) ids.push(c.pay([{ address: ALICE, sats: 100n }]));
    c.mine();
    const newestFirst = [...ids].reverse();
    const page1 = c.addressChainTxs(ALICE);
    expect(page1).toHaveLength(CHAIN_TXS_PER_PAGE);
    expect(page1).toEqual(newestFirst.slice(0, 25));
    expect(c.addressChainTxs(ALICE, page1[24])).toEqual(newestFirst.slice(25, 50));
    expect(c.addressChainTxs(ALICE, newestFirst[49])).toEqual(newestFirst.slice(50));
    expect(c.addressChainTxs(ALICE, "ff".repeat(32))).toEqual([]);

    for (let i = 0; i < 60; i++) c.pay([{ address: ALICE, sats: 1n }]);
    const mixed = c.addressTxs(ALICE);
    expect(mixed).toHaveLength(50 + 25); // 50 mempool max + first 25 confirmed
  });

  test("reorg returns the orphaned blocks' txs to the mempool", () => {
    const c = new Chain();
    const a = c.pay([{ address: ALICE, sats: 1n }]);
    c.mine(1);
    const b = c.pay([{ address: BOB, sats: 2n }]);
    c.mine(2);
    const old = c.tip.hash;
    const r = c.reorg(2);
    expect(c.height).toBe(1);
    expect(r.txids).toEqual([b]);
    expect(c.status(b)).toEqual({ confirmed: false });
    expect(c.status(a).confirmed).toBe(true);
    c.mine(2);
    expect(c.tip.hash).not.toBe(old);
    expect(c.status(b).block_height).toBe(2);
  });

  test("reorg with drop removes the txs and their descendants", () => {
    const c = new Chain();
    const key = regtestKey();
    const fund = c.pay([{ address: key.address, sats: 10_000n }]);
    c.mine(1);
    const child = c.broadcast(spend(c, key, fund, 0, BOB, 9_000n));
    c.reorg(1, { drop: true });
    expect(c.getTx(fund)).toBeUndefined();
    expect(c.getTx(child)).toBeUndefined();
    expect(c.addressTxs(key.address)).toEqual([]);
    expect(c.addressTxs(BOB)).toEqual([]);
    expect(() => c.reorg(1)).toThrow(SimError); // genesis stays
  });

  test("replace double-spends a mempool tx; drop evicts one", () => {
    const c = new Chain();
    const t = c.pay([{ address: ALICE, sats: 50_000n }]);
    const r = c.replace(t);
    expect(c.getTx(t)).toBeUndefined();
    expect(c.addressTxs(ALICE)).toEqual([]);
    expect(c.addressTxs(ELSEWHERE_ADDRESS)).toEqual([r]);
    expect(c.getTx(r)!.vin[0]!.txid).toBeDefined();
    expect(c.mempoolTxids()).toEqual([r]);

    const d = c.pay([{ address: BOB, sats: 1n }]);
    expect(c.drop(d)).toEqual([d]);
    expect(c.addressTxs(BOB)).toEqual([]);
    c.mine();
    expect(() => c.drop(r)).toThrow(/confirmed/);
    expect(() => c.replace(r)).toThrow(/confirmed/);
  });

  test("broadcast accepts a signed spend and rejects what a node would", () => {
    const c = new Chain();
    const key = regtestKey();
    const fund = c.pay([{ address: key.address, sats: 10_000n }]);
    const raw = spend(c, key, fund, 0, BOB, 9_000n);
    const txid = c.broadcast(raw);
    expect(txid).toBe(btc.Transaction.fromRaw(hex.decode(raw)).id);
    expect(c.utxos(key.address)).toEqual([]); // spent in mempool
    expect(c.fee(c.getTx(txid)!)).toBe(1_000n);
    expect(c.addressStats(key.address).mempool_stats).toMatchObject({ spent_txo_count: 1, spent_txo_sum: 10_000n });

    expect(() => c.broadcast(raw)).toThrow(/txn-already-in-mempool/);
    c.mine();
    expect(() => c.broadcast(raw)).toThrow(/Transaction already in block chain/);

    const conflict = spend(c, key, fund, 0, ALICE, 8_000n);
    expect(() => c.broadcast(conflict)).toThrow(/bad-txns-inputs-missingorspent/);
    expect(() => c.broadcast("00")).toThrow(BroadcastError);
    const err = (() => {
      try {
        c.broadcast("nothex");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BroadcastError);
    expect((err as BroadcastError).code).toBe(-22);
    expect((err as Error).message).toMatch(/^sendrawtransaction RPC error: \{"code":-22,/);
  });

  test("broadcast rejects mempool conflicts, unknown inputs and overspends", () => {
    const c = new Chain();
    const key = regtestKey();
    const fund = c.pay([{ address: key.address, sats: 10_000n }]);
    c.broadcast(spend(c, key, fund, 0, BOB, 9_000n));
    expect(() => c.broadcast(spend(c, key, fund, 0, ALICE, 8_000n))).toThrow(/txn-mempool-conflict/);

    const fund2 = c.pay([{ address: key.address, sats: 10_000n }]);
    expect(() => c.broadcast(spend(c, key, fund2, 0, BOB, 10_001n, 20_000n))).toThrow(/bad-txns-in-belowout/);

    const other = new Chain();
    const fund3 = other.pay([{ address: key.address, sats: 12_345n }]); // a txid c never saw
    expect(() => c.broadcast(spend(other, key, fund3, 0, BOB, 9_000n))).toThrow(/missingorspent/);
  });

  test("BIP125: a signalling spend is replaced by one paying more (rate and fee + its size at 1 sat/vB); the old one leaves the mempool", () => {
    const c = new Chain();
    const key = regtestKey();
    const fund = c.pay([{ address: key.address, sats: 10_000n }]);
    const first = c.broadcast(spend(c, key, fund, 0, BOB, 9_900n, undefined, 0xfffffffd)); // 100 sats
    // 50 sats more is not its own ~110 vB at the incremental relay fee
    expect(() => c.broadcast(spend(c, key, fund, 0, BOB, 9_850n, undefined, 0xfffffffd))).toThrow(/insufficient fee, rejecting replacement/);
    const second = c.broadcast(spend(c, key, fund, 0, BOB, 9_600n, undefined, 0xfffffffd)); // 400 sats
    expect(c.mempoolTxids()).toEqual([fund, second]);
    expect(c.getTx(first)).toBeUndefined();
    c.mine();
    expect(c.status(second).confirmed).toBe(true);
  });

  test("mine with minFeeRate leaves cheaper transactions (and their children) in the mempool", () => {
    const c = new Chain();
    const key = regtestKey();
    const fund = c.pay([{ address: key.address, sats: 10_000n }]);
    c.mine();
    const cheap = c.broadcast(spend(c, key, fund, 0, BOB, 9_890n)); // ~1 sat/vB
    const rich = c.pay([{ address: ALICE, sats: 1_000n }]); // 1,000 sats fee
    c.mine(2, { minFeeRate: 2 });
    expect(c.status(rich).confirmed).toBe(true);
    expect(c.mempoolTxids()).toEqual([cheap]);
    c.mine();
    expect(c.status(cheap).confirmed).toBe(true);
  });

  test("pay accepts any address string, so tests need no real keys", () => {
    const c = new Chain();
    const t = c.pay([{ address: "anything-goes", sats: 5n }]);
    expect(c.getTx(t)!.vout[0]).toEqual({ address: "anything-goes", scriptpubkey: "", value: 5n });
    expect(c.getTx(c.pay([{ address: ALICE, sats: 5n }]))!.vout[0]!.scriptpubkey).toMatch(/^0014[0-9a-f]{40}$/);
  });

  test("pay validates its input", () => {
    const c = new Chain();
    expect(() => c.pay([])).toThrow(SimError);
    expect(() => c.pay([{ address: ALICE, sats: 0n }])).toThrow(/positive/);
    expect(() => c.mine(0)).toThrow(SimError);
  });
});

describe("real serialisations (what the Electrum-server face hands out)", () => {
  test("each network's genesis header hashes to that network's genesis block hash", () => {
    for (const n of BTC_NETWORKS) {
      expect(headerHash(GENESIS_HEADERS[n]), n).toBe(GENESIS_HASHES[n][0]);
      expect(new Chain({ genesisOf: n }).blocks[0]!.hash).toBe(GENESIS_HASHES[n][0]);
    }
  });

  test("a simulated payment and its replacement are real transactions whose txid is their hash; blocks chain by header", () => {
    const c = new Chain();
    const txid = c.pay([
      { address: ALICE, sats: 5_000n },
      { address: BOB, sats: 7_000n },
    ]);
    const decoded = btc.Transaction.fromRaw(hex.decode(c.getTx(txid)!.hex), { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
    expect(decoded.id).toBe(txid);
    expect(decoded.getOutput(1).amount).toBe(7_000n);
    const replaced = c.replace(txid);
    expect(
      btc.Transaction.fromRaw(hex.decode(c.getTx(replaced)!.hex), { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true }).id,
    ).toBe(replaced);
    const [h1, h2] = c.mine(2);
    expect(c.blocks[1]!.hash).toBe(h1);
    for (const b of c.blocks) expect(headerHash(b.header)).toBe(b.hash);
    // Header bytes 4..36 are the previous block's hash (internal byte order).
    expect(hex.encode(hex.decode(c.blocks[2]!.header).slice(4, 36).reverse())).toBe(h1);
    expect(c.tip.hash).toBe(h2);
  });
});
