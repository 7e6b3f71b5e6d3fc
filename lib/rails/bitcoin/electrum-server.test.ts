import { HDKey } from "@scure/bip32";
import * as btc from "@scure/btc-signer";
import { afterEach, describe, expect, test } from "vitest";
import { ElectrumServerChain } from "./electrum-server";
import { GENESIS_HASHES } from "./networks";
import { Chain, REGTEST } from "./sandbox/chain";
import { type ElectrumSimulator, startElectrumSimulator } from "./sandbox/electrum-server";

// The Electrum-server backend against the simulator's Electrum protocol face (the same chain
// the Esplora face serves): what the app reads, what it sends, and what the server pushes —
// a payment, a block, a reorg and a dropped connection included.

function key(i: number) {
  const k = HDKey.fromMasterSeed(new Uint8Array(32).fill(7)).derive(`m/84'/1'/0'/0/${i}`);
  const pay = btc.p2wpkh(k.publicKey!, REGTEST);
  return { priv: k.privateKey!, pay, address: pay.address! };
}
const ALICE = key(1);
const BOB = key(2);

const open: { sim: ElectrumSimulator; client: ElectrumServerChain }[] = [];
async function setup(chain = new Chain()) {
  const sim = await startElectrumSimulator(chain);
  const client = new ElectrumServerChain({ url: sim.url, network: "regtest", timeoutMs: 3_000 });
  open.push({ sim, client });
  return { chain, sim, client };
}
afterEach(async () => {
  for (const { sim, client } of open.splice(0)) {
    client.close();
    await sim.close();
  }
});

const until = async (check: () => boolean, ms = 6_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("reads", () => {
  test("the network comes from the genesis header; a mainnet server is named as such", async () => {
    const { client } = await setup();
    expect(await client.network()).toEqual({ network: "regtest", evidence: `genesis block ${GENESIS_HASHES.regtest[0]}` });
    const main = await setup(new Chain({ genesisOf: "mainnet" }));
    expect((await main.client.network()).network).toBe("mainnet");
  });

  test("a payment is seen in the mempool, then in its block with the block's hash and time", async () => {
    const { chain, client } = await setup();
    const txid = chain.pay([
      { address: ALICE.address, sats: 12_345n },
      { address: BOB.address, sats: 1n },
    ]);
    expect(await client.addressOutputs(ALICE.address)).toEqual([{ txid, vout: 0, sats: 12_345n, blockHeight: null, blockHash: null, blockTime: null }]);
    const [hash] = chain.mine(1);
    const block = chain.blocks[1]!;
    expect(await client.addressOutputs(ALICE.address)).toEqual([
      { txid, vout: 0, sats: 12_345n, blockHeight: 1, blockHash: hash, blockTime: new Date(block.time * 1000) },
    ]);
    expect(await client.addressUtxos(ALICE.address)).toEqual([{ txid, vout: 0, value: 12_345n, blockHeight: 1 }]);
    expect(await client.addressOutputs(key(9).address)).toEqual([]);
  });

  test("the tip is asked once, then pushed: later heights cost no call", async () => {
    const { chain, client } = await setup();
    chain.mine(3);
    expect(await client.tipHeight()).toBe(3);
    const calls = client.stats.requests;
    chain.mine(2);
    await until(() => (client as unknown as { tip: { height: number } | null }).tip?.height === 5);
    expect(await client.tipHeight()).toBe(5);
    expect(client.stats.requests).toBe(calls);
  });

  test("fee estimates in sat/vB for the targets the server knows", async () => {
    const { chain, client } = await setup();
    const fees = await client.feeEstimates();
    expect(fees["1"]).toBeCloseTo(chain.feeEstimates["1"]!, 3);
    expect(fees["6"]).toBeCloseTo(chain.feeEstimates["6"]!, 3);
    expect(fees["144"]).toBeCloseTo(chain.feeEstimates["144"]!, 3);
  });
});

describe("broadcast and status", () => {
  test("a signed transaction is accepted once, then already known; its status follows the chain", async () => {
    const { chain, client } = await setup();
    const funding = chain.pay([{ address: ALICE.address, sats: 50_000n }]);
    chain.mine(1);
    const tx = new btc.Transaction();
    tx.addInput({ txid: funding, index: 0, witnessUtxo: { script: ALICE.pay.script, amount: 50_000n } });
    tx.addOutputAddress(BOB.address, 49_000n, REGTEST);
    tx.sign(ALICE.priv);
    tx.finalize();
    expect(await client.broadcast(tx.hex)).toEqual({ status: "accepted", txid: tx.id });
    expect(await client.broadcast(tx.hex)).toMatchObject({ status: "already_known", txid: tx.id });
    expect(await client.txStatus(tx.id)).toEqual({ confirmed: false, blockHeight: null });
    chain.mine(1);
    expect(await client.txStatus(tx.id)).toEqual({ confirmed: true, blockHeight: 2 });
    expect(await client.txStatus("ab".repeat(32))).toBeNull();
  });

  test("a refused broadcast is an error naming the daemon's reason, not already_known", async () => {
    const { chain, client } = await setup();
    const funding = chain.pay([{ address: ALICE.address, sats: 50_000n }]);
    const spend = (to: string) => {
      const tx = new btc.Transaction();
      tx.addInput({ txid: funding, index: 0, witnessUtxo: { script: ALICE.pay.script, amount: 50_000n } });
      tx.addOutputAddress(to, 49_000n, REGTEST);
      tx.sign(ALICE.priv);
      tx.finalize();
      return tx.hex;
    };
    await client.broadcast(spend(BOB.address));
    await expect(client.broadcast(spend(key(3).address))).rejects.toThrow(/txn-mempool-conflict/);
  });
});

describe("push", () => {
  test("a watched address hears of its payment, its confirmation and a reorg that takes it out again", async () => {
    const { chain, client } = await setup();
    const heard: string[] = [];
    client.onActivity((a) => heard.push(a));
    await client.watch([ALICE.address]);
    const txid = chain.pay([{ address: ALICE.address, sats: 7_000n }]);
    await until(() => heard.length === 1);
    chain.mine(1);
    await until(() => heard.length === 2);
    expect((await client.addressOutputs(ALICE.address))[0]).toMatchObject({ txid, blockHeight: 1 });
    // A reorg puts it back in the mempool…
    chain.reorg(1);
    await until(() => heard.length === 3);
    expect((await client.addressOutputs(ALICE.address))[0]).toMatchObject({ txid, blockHeight: null, blockHash: null });
    // …and one onto a chain that double-spent it makes it disappear.
    chain.mine(1);
    await until(() => heard.length === 4);
    chain.reorg(1, { drop: true });
    await until(() => heard.length === 5);
    expect(await client.addressOutputs(ALICE.address)).toEqual([]);
    expect(heard.every((a) => a === ALICE.address)).toBe(true);
  });

  test("after a dropped connection it reconnects, resubscribes and reports the payment made meanwhile", async () => {
    const { chain, sim, client } = await setup();
    const heard: string[] = [];
    const blocks: number[] = [];
    client.onActivity((a) => heard.push(a));
    client.onBlock((t) => blocks.push(t.height));
    await client.watch([ALICE.address, BOB.address]);
    sim.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    const txid = chain.pay([{ address: BOB.address, sats: 3_000n }]); // while the client is away
    chain.mine(1);
    await until(() => heard.includes(BOB.address));
    expect(heard).not.toContain(ALICE.address);
    expect((await client.addressOutputs(BOB.address))[0]).toMatchObject({ txid, blockHeight: 1 });
    // Still subscribed on the new connection: the next payment is pushed as before.
    chain.pay([{ address: ALICE.address, sats: 1_000n }]);
    await until(() => heard.includes(ALICE.address));
    chain.mine(1);
    await until(() => blocks.includes(2));
  });

  test("a server that is down is a ChainError (the rail shows as unavailable), never a crash", async () => {
    const { sim, client } = await setup();
    await sim.close();
    await expect(client.tipHeight()).rejects.toMatchObject({ name: "ChainError", kind: "unreachable" });
  });

  test("ELECTRUM_SERVER_URL must be tcp:// or ssl://", () => {
    expect(() => new ElectrumServerChain({ url: "http://example.com:50001", network: "regtest" })).toThrow(/tcp:\/\/host:port or ssl:\/\/host:port/);
  });
});
