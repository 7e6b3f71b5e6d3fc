import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { probeRail } from "@/lib/availability";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { pickFeeRate } from "@/lib/rails/bitcoin/forward";
import { startupProblem } from "@/lib/server-start";
import { createBtcCheckout } from "@/test/bitcoin";
import { type ElectrumDaemon, electrumUnavailable, freePort, startElectrumDaemon } from "@/test/electrum-daemon";
import { type ElectrumStandIn, startElectrumStandIn } from "@/test/electrum-standin";
import { createUser } from "@/test/factories";
import { observeBtcCheckout } from "@/test/rails";
import { chainClient, resetChainForTests, simulator } from "./client";
import { bitcoinSettings, resetBitcoinSettingsForTests } from "./config";
import { ElectrumChain } from "./electrum-chain";
import { ElectrumError, electrumClient } from "./electrum-rpc";
import { ChainError } from "./esplora";
import { hotWalletFromSeed } from "./hot-wallet";
import { bitcoinRail } from "./rail";
import { resetRateSourceForTests } from "./rate";

// The Electrum chain backend (BTC_CHAIN_BACKEND=electrum): against a stand-in that answers as
// an online Electrum 4.3 daemon does (test/electrum-standin.ts), and against the real daemon,
// offline, for what it can answer without a server (credentials, getinfo's failure).

// Addresses nobody else in the tests pays.
const other = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest");
const [A, B, C] = [other.address(10), other.address(11), other.address(12)];

function backendFor(s: ElectrumStandIn, pass = s.pass): ElectrumChain {
  return new ElectrumChain(electrumClient({ ELECTRUM_RPC_URL: s.url, ELECTRUM_RPC_USER: s.user, ELECTRUM_RPC_PASS: pass }), "regtest");
}

async function chainError(p: Promise<unknown>): Promise<ChainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ChainError);
    return e as ChainError;
  }
  throw new Error("expected a ChainError");
}

describe("ElectrumChain (stand-in for an online Electrum 4.3 daemon)", () => {
  let standIn: ElectrumStandIn;
  let chain: ElectrumChain;

  beforeAll(async () => {
    standIn = await startElectrumStandIn();
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    chain = backendFor(standIn);
    standIn.calls.length = 0;
  });

  it("tip height is getinfo's blockchain_height; a daemon without a server is unavailable", async () => {
    expect(await chain.tipHeight()).toBe(standIn.height);
    expect(standIn.calls).toEqual([{ method: "getinfo", params: {} }]);
    standIn.connected = false;
    try {
      const e = await chainError(chain.tipHeight());
      expect(e.message).toMatch(/ELECTRUM_RPC_URL is not connected/);
    } finally {
      standIn.connected = true;
    }
  });

  it("addressOutputs: the outputs paying the address, mempool then confirmed, ignoring outputs to other addresses", async () => {
    const t1 = standIn.pay([
      { address: B, sats: 7_000n },
      { address: A, sats: 20_000n },
    ]);
    const t2 = standIn.pay([{ address: B, sats: 3_000n }]); // nothing for A
    const t3 = standIn.pay([
      { address: A, sats: 1_000n },
      { address: A, sats: 500n },
    ]);

    const mempool = await chain.addressOutputs(A);
    expect(mempool).toEqual([
      { txid: t1, vout: 1, sats: 20_000n, blockHeight: null, blockHash: null, blockTime: null },
      { txid: t3, vout: 0, sats: 1_000n, blockHeight: null, blockHash: null, blockTime: null },
      { txid: t3, vout: 1, sats: 500n, blockHeight: null, blockHash: null, blockTime: null },
    ]);
    expect(mempool.map((o) => o.txid)).not.toContain(t2);
    expect(standIn.calls.map((c) => c.method).sort()).toEqual(["getaddresshistory", "gettransaction", "gettransaction"]);
    expect(chain.stats.requests).toBe(3);

    standIn.mine(1);
    const height = standIn.height;
    const confirmed = await chain.addressOutputs(A);
    expect(confirmed.map((o) => [o.txid, o.vout, o.blockHeight])).toEqual([
      [t1, 1, height],
      [t3, 0, height],
      [t3, 1, height],
    ]);
    // a txid commits to its outputs: decoded once, never fetched again
    expect(chain.stats.requests).toBe(4);
    expect((await chain.addressOutputs(B)).map((o) => [o.txid, o.vout, o.sats])).toEqual([
      [t1, 0, 7_000n],
      [t2, 0, 3_000n],
    ]);
  });

  it("a reorg puts a confirmed output back in the mempool (height null again)", async () => {
    const t = standIn.pay([{ address: A, sats: 2_000n }]);
    standIn.mine(1);
    expect((await chain.addressOutputs(A)).find((o) => o.txid === t)?.blockHeight).toBe(standIn.height);
    standIn.unmine();
    expect((await chain.addressOutputs(A)).find((o) => o.txid === t)?.blockHeight).toBeNull();
    standIn.mine(1);
  });

  it("addressUtxos from getaddressunspent (sats, height 0 ⇒ unconfirmed)", async () => {
    const t = standIn.pay([
      { address: B, sats: 4_000n },
      { address: C, sats: 9_000n },
    ]);
    const utxos = await chain.addressUtxos(C);
    expect(utxos).toEqual([{ txid: t, vout: 1, value: 9_000n, blockHeight: null }]);
    expect(standIn.calls).toEqual([{ method: "getaddressunspent", params: { address: C } }]);
    standIn.mine(1);
    expect(await chain.addressUtxos(C)).toEqual([{ txid: t, vout: 1, value: 9_000n, blockHeight: standIn.height }]);
  });

  it("fee estimates: getfeerate's eta slider positions as block targets, sat/kvB → sat/vB", async () => {
    const est = await chain.feeEstimates();
    expect(est).toEqual({ "1": 30, "2": 20, "5": 12, "10": 6, "25": 2 });
    expect(standIn.calls.map((c) => c.params).sort((a, b) => Number(a.fee_level) - Number(b.fee_level))).toEqual(
      [0, 0.25, 0.5, 0.75, 1].map((fee_level) => ({ fee_method: "eta", fee_level })),
    );
    expect(pickFeeRate(est, 6)).toBe("12"); // BTC_FORWARD_FEE_TARGET=6 ⇒ Electrum's 5-block rate
    // before the server sent estimates, Electrum answers null: that target is left out
    standIn.feeRates.set(1, null);
    try {
      expect(Object.keys(await chain.feeEstimates()).sort()).toEqual(["10", "2", "25", "5"]);
    } finally {
      standIn.feeRates.set(1, 30_000);
    }
  });

  it("broadcast: accepted, then already_known in the mempool and once confirmed; a refusal throws", async () => {
    const donor = standIn.pay([{ address: A, sats: 3_000n }]);
    const raw = standIn.rawTx(donor);
    standIn.drop(donor); // now a transaction the network has never seen
    expect(await chain.broadcast(raw)).toEqual({ status: "accepted", txid: donor });
    expect(standIn.calls.at(-1)).toEqual({ method: "broadcast", params: { tx: raw } });

    expect(await chain.broadcast(raw)).toMatchObject({ status: "already_known", txid: donor, message: expect.stringMatching(/txn-already-in-mempool/) });
    standIn.mine(1);
    // Electrum 4.3 turns Bitcoin Core 22+'s "already in utxo set" into "Unknown error": the chain has it
    expect(await chain.broadcast(raw)).toMatchObject({ status: "already_known", txid: donor, message: expect.stringMatching(/Unknown error/) });

    const fresh = standIn.pay([{ address: B, sats: 1_000n }]);
    const freshRaw = standIn.rawTx(fresh);
    standIn.drop(fresh);
    standIn.refuse = "bad-txns-inputs-missingorspent";
    try {
      const e = await chain.broadcast(freshRaw).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(ElectrumError);
      expect((e as ElectrumError).message).toMatch(/Electrum broadcast failed: bad-txns-inputs-missingorspent/);
    } finally {
      standIn.refuse = null;
    }
  });

  it("txStatus: unknown ⇒ null, mempool ⇒ unconfirmed, mined ⇒ its height, dropped ⇒ null", async () => {
    expect(await chain.txStatus("ab".repeat(32))).toBeNull();
    const t = standIn.pay([{ address: B, sats: 2_500n }]);
    expect(await chain.txStatus(t)).toEqual({ confirmed: false, blockHeight: null });
    standIn.mine(1);
    expect(await chain.txStatus(t)).toEqual({ confirmed: true, blockHeight: standIn.height });
    const gone = standIn.pay([{ address: B, sats: 2_600n }]);
    expect(await chain.txStatus(gone)).toEqual({ confirmed: false, blockHeight: null });
    standIn.drop(gone); // decoded outputs are cached, but the address history no longer lists it
    expect(await chain.txStatus(gone)).toBeNull();

    // a daemon that lost its server is an outage, not "unknown" (which would trigger a re-broadcast)
    standIn.fail.set("gettransaction", "cannot establish a connection... gave up.");
    try {
      expect((await chainError(chain.txStatus("cd".repeat(32)))).message).toMatch(/Electrum gettransaction failed: cannot establish a connection/);
    } finally {
      standIn.fail.clear();
    }
  });

  it("an unreachable daemon is a ChainError naming ELECTRUM_RPC_URL", async () => {
    const port = await freePort();
    const dead = new ElectrumChain(electrumClient({ ELECTRUM_RPC_URL: `http://127.0.0.1:${port}`, ELECTRUM_RPC_USER: "u", ELECTRUM_RPC_PASS: "p" }), "regtest");
    const e = await chainError(dead.addressOutputs(A));
    expect(e.kind).toBe("unreachable");
    expect(e.message).toMatch(/cannot reach Electrum at ELECTRUM_RPC_URL/);
    expect(dead.stats.requests).toBe(1);
  });
});

// ---- selected by BTC_CHAIN_BACKEND, driving observation ----------------------------------

const BTC_VARS = [
  "BTC_NETWORK",
  "BTC_XPUB",
  "BTC_ADDRESS_SOURCE",
  "BTC_CHAIN_BACKEND",
  "ESPLORA_API_URL",
  "ELECTRUM_RPC_URL",
  "ELECTRUM_RPC_USER",
  "ELECTRUM_RPC_PASS",
];
const ZPUB = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

async function configure(vars: Record<string, string>) {
  for (const k of BTC_VARS) delete process.env[k];
  Object.assign(process.env, { RATE_SOURCE: "fixed", BTC_FIXED_RATE: "100000", BTC_CONFIRMATIONS: "3", CHECKOUT_RATE_LIMIT_PER_HOUR: "1000" }, vars);
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  resetRateSourceForTests();
  await resetChainForTests();
}

describe("BTC_CHAIN_BACKEND=electrum", () => {
  let standIn: ElectrumStandIn;
  const electrumVars = () => ({
    BTC_CHAIN_BACKEND: "electrum",
    ELECTRUM_RPC_URL: standIn.url,
    ELECTRUM_RPC_USER: standIn.user,
    ELECTRUM_RPC_PASS: standIn.pass,
  });

  beforeAll(async () => {
    standIn = await startElectrumStandIn();
    await db.creditPackage.upsert({
      where: { slug: "medium" },
      update: {},
      create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
    });
  });
  afterAll(async () => {
    await configure({});
    await standIn.close();
  });

  it("reads the chain through Electrum, with no simulator and no Esplora needed off regtest", async () => {
    await configure({ BTC_NETWORK: "regtest", ...electrumVars() });
    expect(bitcoinSettings()).toMatchObject({ chainBackend: "electrum", simulated: false, esploraUrl: null });
    expect(simulator()).toBeNull();
    expect((await chainClient()).name).toBe("electrum");
    expect(await startupProblem()).toBeNull();

    await configure({ BTC_NETWORK: "mainnet", BTC_XPUB: ZPUB, ...electrumVars() });
    expect(bitcoinSettings()).toMatchObject({ enabled: true, chainBackend: "electrum" });
  });

  it("observeBtcCheckout: pending → confirming → paid, driven by Electrum's history", async () => {
    await configure({ BTC_NETWORK: "regtest", ...electrumVars() });
    const user = await createUser();
    const { id } = await createBtcCheckout(user.id, "medium");
    const c = await db.checkout.findUniqueOrThrow({ where: { id } });
    expect(c).toMatchObject({ status: "pending", expectedAmount: 20_000n });

    expect(await observeBtcCheckout(id)).toMatchObject({ status: "pending", changed: false, chainCalls: 2 }); // getinfo + getaddresshistory

    const txid = standIn.pay([
      { address: B, sats: 50_000n }, // change elsewhere: not ours
      { address: c.address!, sats: c.expectedAmount },
    ]);
    expect(await observeBtcCheckout(id)).toMatchObject({ status: "confirming", exception: null, changed: true, chainCalls: 3 });
    expect(
      await db.chainOutput.findMany({ where: { checkoutId: id }, select: { txid: true, vout: true, sats: true, blockHeight: true, blockHash: true } }),
    ).toEqual([{ txid, vout: 1, sats: 20_000n, blockHeight: null, blockHash: null }]);
    expect(await observeBtcCheckout(id)).toMatchObject({ changed: false, chainCalls: 2 });

    standIn.mine(1);
    expect(await observeBtcCheckout(id)).toMatchObject({ status: "confirming", changed: true });
    const row = await db.checkout.findUniqueOrThrow({ where: { id }, include: { outputs: true } });
    expect(row.confirmations).toBe(1);
    expect(row.outputs[0]!.blockHeight).toBe(standIn.height); // a height without a block hash is still recorded

    // a reorg before paid: back to the mempool, noted on the timeline, then mined again
    standIn.unmine();
    expect(await observeBtcCheckout(id)).toMatchObject({ status: "confirming", changed: true });
    expect((await db.chainOutput.findFirstOrThrow({ where: { checkoutId: id } })).blockHeight).toBeNull();
    expect(await db.checkoutEvent.count({ where: { checkoutId: id, message: { startsWith: "reorg:" } } })).toBe(1);

    standIn.mine(2);
    expect((await observeBtcCheckout(id)).status).toBe("confirming");
    standIn.mine(1);
    expect(await observeBtcCheckout(id)).toMatchObject({ status: "paid", exception: null });
    const paid = await db.checkout.findUniqueOrThrow({ where: { id } });
    expect(paid).toMatchObject({ status: "paid", receivedAmount: 20_000n, confirmations: 3 });
    expect(paid.seenAt).not.toBeNull();
    expect(await observeBtcCheckout(id)).toMatchObject({ status: "paid", changed: false });
  });

  it("an unreachable Electrum makes the Bitcoin rail unavailable, naming ELECTRUM_RPC_URL", async () => {
    const port = await freePort();
    await configure({
      BTC_NETWORK: "mainnet",
      BTC_XPUB: ZPUB,
      BTC_CHAIN_BACKEND: "electrum",
      ELECTRUM_RPC_URL: `http://127.0.0.1:${port}`,
      ELECTRUM_RPC_USER: "u",
      ELECTRUM_RPC_PASS: "p",
    });
    expect(await startupProblem()).toBeNull();
    expect((await probeRail(bitcoinRail)).reason).toMatch(
      new RegExp(`ELECTRUM_RPC_URL: cannot reach Electrum at ELECTRUM_RPC_URL \\(http://127\\.0\\.0\\.1:${port}\\)`),
    );
  });

  it("missing Electrum settings name each variable", async () => {
    await configure({ BTC_NETWORK: "regtest", BTC_CHAIN_BACKEND: "electrum", ELECTRUM_RPC_URL: standIn.url });
    const problem = await startupProblem();
    expect(problem).toMatch(/ELECTRUM_RPC_USER: is required when BTC_CHAIN_BACKEND=electrum/);
    expect(problem).toMatch(/ELECTRUM_RPC_PASS: is required when BTC_CHAIN_BACKEND=electrum/);
    await configure({ BTC_NETWORK: "regtest", BTC_CHAIN_BACKEND: "electrm" });
    expect(await startupProblem()).toMatch(/BTC_CHAIN_BACKEND: must be esplora, electrum or electrum-server/);
  });
});

// ---- the real daemon (Debian's electrum 4.3, offline, regtest) ---------------------------

const unavailable = electrumUnavailable();
if (unavailable) console.warn(`Skipping Electrum daemon tests: ${unavailable}`);

describe.skipIf(Boolean(unavailable))("ElectrumChain against a real Electrum daemon", () => {
  let daemon: ElectrumDaemon;

  beforeAll(async () => {
    daemon = await startElectrumDaemon();
  }, 60_000);
  afterAll(async () => {
    await configure({});
    await daemon?.stop();
  }, 30_000);

  it("bad credentials ⇒ the clear error, without the password, and the rail's status names the credentials", async () => {
    const wrong = new ElectrumChain(
      electrumClient({ ELECTRUM_RPC_URL: daemon.url, ELECTRUM_RPC_USER: daemon.user, ELECTRUM_RPC_PASS: "wrong-password-xyz" }),
      "regtest",
    );
    const e = await chainError(wrong.tipHeight());
    expect(e.message).toMatch(/Electrum rejected ELECTRUM_RPC_USER\/ELECTRUM_RPC_PASS/);
    expect(e.message).not.toContain("wrong-password-xyz");
    expect((e.cause as ElectrumError).code).toBe("auth");

    await configure({
      BTC_NETWORK: "regtest",
      BTC_CHAIN_BACKEND: "electrum",
      ELECTRUM_RPC_URL: daemon.url,
      ELECTRUM_RPC_USER: daemon.user,
      ELECTRUM_RPC_PASS: "wrong-password-xyz",
    });
    const problem = (await probeRail(bitcoinRail)).reason;
    expect(problem).toMatch(/ELECTRUM_RPC_USER \/ ELECTRUM_RPC_PASS: Electrum rejected/);
    expect(problem).not.toContain("wrong-password-xyz");
  });

  it("a daemon running --offline cannot serve the chain: the rail is down, naming ELECTRUM_RPC_URL", async () => {
    await configure({
      BTC_NETWORK: "regtest",
      BTC_CHAIN_BACKEND: "electrum",
      ELECTRUM_RPC_URL: daemon.url,
      ELECTRUM_RPC_USER: daemon.user,
      ELECTRUM_RPC_PASS: daemon.pass,
    });
    expect((await probeRail(bitcoinRail)).reason).toMatch(/ELECTRUM_RPC_URL: Electrum getinfo failed: .*no server connection/);
  });
});
