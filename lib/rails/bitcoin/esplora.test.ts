// The Esplora client against the chain simulator over real HTTP.

import { HDKey } from "@scure/bip32";
import * as btc from "@scure/btc-signer";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ChainError, confirmations, EsploraClient, EsploraHttpError, type EsploraOptions } from "./esplora";
import { REGTEST } from "./sandbox/chain";
import { type Simulator, startSimulator } from "./sandbox/server";

let sim: Simulator;
let n = 0;

/** A fresh regtest key/address per call, so tests never see each other's history. */
function freshKey() {
  const key = HDKey.fromMasterSeed(new Uint8Array(32).fill(9)).derive(`m/84'/1'/0'/0/${n++}`);
  const pay = btc.p2wpkh(key.publicKey!, REGTEST);
  return { priv: key.privateKey!, pay, address: pay.address! };
}

const client = (opts: Partial<EsploraOptions> = {}) => new EsploraClient({ baseUrl: sim.url, baseDelayMs: 1, retries: 4, ...opts });

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${sim.url}/_sim/${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}
const pay = async (address: string, sats: number) => (await control("pay", { address, sats })).txid as string;
const mine = (blocks = 1) => control("mine", { blocks });

beforeAll(async () => {
  sim = await startSimulator({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control("fail", { status: 500, count: 0 });
});

describe("EsploraClient against the simulator", () => {
  test("tip height and hash", async () => {
    const c = client();
    const h = await c.tipHeight();
    await mine(2);
    expect(await c.tipHeight()).toBe(h + 2);
    expect(await c.tipHash()).toBe(sim.chain.tip.hash);
    expect(c.stats.requests).toBe(3);
  });

  test("a payment shows in the mempool, then confirms at the tip", async () => {
    const c = client();
    const { address } = freshKey();
    const txid = await pay(address, 50_000);

    const [seen] = await c.addressTxs(address);
    expect(seen).toMatchObject({ txid, status: { confirmed: false } });
    expect(seen!.vout[0]).toMatchObject({ scriptpubkey_address: address, value: 50_000n });
    expect(typeof seen!.vout[0]!.value).toBe("bigint");
    expect(seen!.vin[0]!.prevout?.value).toBe(51_000n);
    expect(seen!.fee).toBe(1_000n);
    expect(await c.txStatus(txid)).toEqual({ confirmed: false });
    expect(confirmations(seen!.status, await c.tipHeight())).toBe(0);

    await mine(1);
    const tip = await c.tipHeight();
    const [confirmed] = await c.addressTxs(address);
    expect(confirmed!.status).toMatchObject({ confirmed: true, block_height: tip, block_hash: sim.chain.tip.hash });
    expect(confirmed!.status.block_time).toBeTypeOf("number");
    expect(confirmations(confirmed!.status, tip)).toBe(1);
    await mine(2);
    expect(confirmations(await c.txStatus(txid), await c.tipHeight())).toBe(3);

    expect(await c.addressUtxos(address)).toEqual([{ txid, vout: 0, value: 50_000n, status: expect.objectContaining({ confirmed: true }) }]);
    const info = await c.address(address);
    expect(info.chain_stats).toMatchObject({ funded_txo_count: 1, funded_txo_sum: 50_000n, tx_count: 1 });
    expect((await c.tx(txid))?.txid).toBe(txid);
    expect(await c.tx("ab".repeat(32))).toBeNull();
  });

  test("pages past 25 confirmed transactions and returns every one", async () => {
    const c = client();
    const { address } = freshKey();
    const ids = new Set<string>();
    for (let i = 0; i < 60; i++) ids.add(await pay(address, 1_000 + i));
    await mine(1);
    const extra = await pay(address, 7); // plus one in the mempool, listed first
    const txs = await c.addressTxs(address);
    expect(txs).toHaveLength(61);
    expect(txs[0]!.txid).toBe(extra);
    expect(new Set(txs.slice(1).map((t) => t.txid))).toEqual(ids);
    // /txs (mempool + 25 confirmed), then /txs/chain/:last twice (25, 10)
    expect(c.stats.requests).toBe(3);
  });

  test("a reorg moves a confirmed payment back to the mempool", async () => {
    const c = client();
    const { address } = freshKey();
    const txid = await pay(address, 10_000);
    await mine(1);
    expect((await c.txStatus(txid)).confirmed).toBe(true);
    const before = await c.tipHeight();
    await control("reorg", { depth: 1 });
    expect(await c.tipHeight()).toBe(before - 1);
    expect(await c.txStatus(txid)).toEqual({ confirmed: false });
    expect((await c.addressTxs(address))[0]).toMatchObject({ txid, status: { confirmed: false } });
    await mine(1);
    expect((await c.txStatus(txid)).block_height).toBe(before);
  });

  test("a double-spend replaces the payment; it vanishes from the address history", async () => {
    const c = client();
    const { address } = freshKey();
    const txid = await pay(address, 10_000);
    expect(await c.addressTxs(address)).toHaveLength(1);
    const r = await control("replace", { txid });
    expect(r.replaced).toBe(txid);
    expect(await c.addressTxs(address)).toEqual([]);
    expect(await c.tx(txid)).toBeNull();
    // electrs answers {"confirmed":false} for unknown txids — the status alone cannot tell.
    expect(await c.txStatus(txid)).toEqual({ confirmed: false });

    const dropped = await pay(address, 5_000);
    await control("drop", { txid: dropped });
    expect(await c.addressTxs(address)).toEqual([]);
  });

  test("retries 429 twice, then succeeds; retries are counted", async () => {
    await control("fail", { status: 429, count: 2 });
    const c = client();
    expect(await c.tipHeight()).toBe(sim.chain.height);
    expect(c.stats).toEqual({ requests: 3, retries: 2 });
  });

  test("honours Retry-After seconds", async () => {
    await control("fail", { status: 429, count: 1, retryAfter: 1 });
    const waits: number[] = [];
    const c = client({ sleep: async (ms) => void waits.push(ms) });
    await c.tipHeight();
    expect(waits).toEqual([1000]);

    // and really waits when no sleep is injected
    await control("fail", { status: 503, count: 1, retryAfter: 1 });
    const started = Date.now();
    await client({ baseDelayMs: 1 }).tipHeight();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test("backs off exponentially, then gives up with a ChainError", async () => {
    await control("fail", { status: 500, count: 10 });
    const waits: number[] = [];
    const c = client({ retries: 3, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) });
    const err = await c.tipHeight().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect(err).toMatchObject({ kind: "unavailable", details: { status: 500 } });
    expect(c.stats).toEqual({ requests: 4, retries: 3 });
    expect(waits).toHaveLength(3);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(50 * 2 ** i);
      expect(w).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  test("an unreachable backend is a ChainError naming the URL", async () => {
    const down = await startSimulator({ port: 0 });
    const url = down.url;
    await down.close();
    const c = new EsploraClient({ baseUrl: url, retries: 1, baseDelayMs: 1 });
    const err = await c.tipHeight().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChainError);
    expect((err as ChainError).kind).toBe("unreachable");
    expect((err as ChainError).message).toContain(`cannot reach Esplora at ${url}`);
    expect(c.stats.requests).toBe(2);
  });

  test("a 4xx is not retried", async () => {
    const c = new EsploraClient({ baseUrl: `${sim.url}/nope`, baseDelayMs: 1 });
    const err = await c.tipHeight().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EsploraHttpError);
    expect((err as EsploraHttpError).status).toBe(404);
    expect(c.stats.requests).toBe(1);
  });

  test("a per-request timeout becomes a ChainError", async () => {
    const hang: typeof fetch = (_input, init) => new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    const c = new EsploraClient({ baseUrl: sim.url, timeoutMs: 20, retries: 1, baseDelayMs: 1, fetch: hang });
    const err = await c.tipHeight().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "ChainError", kind: "timeout" });
    expect(c.stats.requests).toBe(2);
  });

  test("fee estimates", async () => {
    const fees = await client().feeEstimates();
    expect(Object.keys(fees)).toEqual(expect.arrayContaining(["1", "2", "6", "144", "1008"]));
    for (const v of Object.values(fees)) expect(v).toBeTypeOf("number");
    expect(fees["1"]!).toBeGreaterThanOrEqual(fees["6"]!);
  });

  test("broadcasts a signed spend; again is AlreadyKnown; garbage is a typed 400", async () => {
    const c = client();
    const key = freshKey();
    const fund = await pay(key.address, 20_000);
    const [utxo] = await c.addressUtxos(key.address);
    expect(utxo).toMatchObject({ txid: fund, vout: 0, value: 20_000n });

    const to = freshKey().address;
    const tx = new btc.Transaction();
    tx.addInput({ txid: utxo!.txid, index: utxo!.vout, witnessUtxo: { script: key.pay.script, amount: utxo!.value } });
    tx.addOutputAddress(to, 19_000n, REGTEST);
    tx.sign(key.priv);
    tx.finalize();

    expect(await c.broadcast(tx.hex)).toEqual({ status: "accepted", txid: tx.id });
    const [inMempool] = await c.addressTxs(to);
    expect(inMempool).toMatchObject({ txid: tx.id, status: { confirmed: false } });
    expect(inMempool!.vin[0]).toMatchObject({ txid: fund, vout: 0, prevout: { scriptpubkey_address: key.address, value: 20_000n } });
    expect(await c.addressUtxos(key.address)).toEqual([]);

    expect(await c.broadcast(tx.hex)).toMatchObject({ status: "already_known", txid: tx.id, message: "txn-already-in-mempool" });
    await mine(1);
    expect(await c.broadcast(tx.hex)).toMatchObject({
      status: "already_known",
      txid: tx.id,
      message: "Transaction already in block chain",
    });

    const err = await c.broadcast("deadbeef").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EsploraHttpError);
    expect(err).toMatchObject({ status: 400, rpc: { code: -22 } });
    expect((err as EsploraHttpError).body).toMatch(/^sendrawtransaction RPC error: /);
  });

  test("an answer in the wrong shape is a ChainError, not a crash", async () => {
    const weird: typeof fetch = async () => new Response(JSON.stringify([{ txid: "x" }]), { status: 200 });
    const c = new EsploraClient({ baseUrl: sim.url, fetch: weird });
    await expect(c.addressTxs("bcrt1qx")).rejects.toMatchObject({ name: "ChainError", kind: "invalid_response" });
    await expect(c.tipHeight()).rejects.toMatchObject({ kind: "invalid_response" });
  });
});
