import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ElectrumClient, ElectrumError, electrumBtcToSats, electrumClient } from "@/lib/rails/bitcoin/electrum-rpc";
import { isValidAddress } from "@/lib/rails/bitcoin/networks";
import { type ElectrumDaemon, electrumUnavailable, freePort, startElectrumDaemon } from "@/test/electrum-daemon";

async function electrumError(p: Promise<unknown>): Promise<ElectrumError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ElectrumError);
    return e as ElectrumError;
  }
  throw new Error("expected an ElectrumError");
}

// Against the real daemon (Debian package `electrum`), offline on regtest.
const unavailable = electrumUnavailable();
if (unavailable) console.warn(`Skipping Electrum daemon tests: ${unavailable}`);

describe.skipIf(Boolean(unavailable))("electrum-rpc against a real Electrum daemon", () => {
  let daemon: ElectrumDaemon;
  let client: ElectrumClient;

  beforeAll(async () => {
    daemon = await startElectrumDaemon();
    client = electrumClient({ ELECTRUM_RPC_URL: daemon.url, ELECTRUM_RPC_USER: daemon.user, ELECTRUM_RPC_PASS: daemon.pass });
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
  }, 30_000);

  it("createnewaddress returns fresh bcrt1 addresses", async () => {
    const a = await client.createNewAddress();
    const b = await client.createNewAddress();
    expect(a).toMatch(/^bcrt1q/);
    expect(isValidAddress(a, "regtest")).toBe(true);
    expect(isValidAddress(b, "regtest")).toBe(true);
    expect(b).not.toBe(a);
  });

  it("names the wallet when asked to (several wallets loaded)", async () => {
    const named = electrumClient({
      ELECTRUM_RPC_URL: daemon.url,
      ELECTRUM_RPC_USER: daemon.user,
      ELECTRUM_RPC_PASS: daemon.pass,
      ELECTRUM_WALLET: daemon.walletPath,
    });
    expect(await named.createNewAddress()).toMatch(/^bcrt1q/);
  });

  it("bad credentials ⇒ the clear error, without the password", async () => {
    const wrong = electrumClient({ ELECTRUM_RPC_URL: daemon.url, ELECTRUM_RPC_USER: daemon.user, ELECTRUM_RPC_PASS: "wrong-password-xyz" });
    const e = await electrumError(wrong.createNewAddress());
    expect(e.code).toBe("auth");
    expect(e.message).toMatch(/Electrum rejected ELECTRUM_RPC_USER\/ELECTRUM_RPC_PASS/);
    expect(e.message).not.toContain("wrong-password-xyz");
    const nobody = electrumClient({ ELECTRUM_RPC_URL: daemon.url, ELECTRUM_RPC_USER: "nobody", ELECTRUM_RPC_PASS: daemon.pass });
    expect((await electrumError(nobody.createNewAddress())).code).toBe("auth");
  });

  it("a JSON-RPC error ⇒ its message (chain commands fail offline)", async () => {
    const address = await client.createNewAddress();
    const e = await electrumError(client.getAddressHistory(address));
    expect(e.code).toBe("rpc");
    expect(e.message).toMatch(/Electrum getaddresshistory failed: .*NoneType.*no server connection/);
    expect((await electrumError(client.getAddressBalance(address))).code).toBe("rpc");
  });

  it("an unknown method ⇒ an error carrying Electrum's answer", async () => {
    const e = await electrumError(client.call("no_such_command"));
    expect(e.message).toMatch(/HTTP 500: Invalid Request/);
  });
});

describe("electrum-rpc connection and configuration errors", () => {
  it("unreachable port ⇒ cannot reach Electrum at ELECTRUM_RPC_URL", async () => {
    const port = await freePort();
    const c = electrumClient({ ELECTRUM_RPC_URL: `http://127.0.0.1:${port}`, ELECTRUM_RPC_USER: "u", ELECTRUM_RPC_PASS: "p" });
    const e = await electrumError(c.createNewAddress());
    expect(e.code).toBe("unreachable");
    expect(e.message).toMatch(new RegExp(`cannot reach Electrum at ELECTRUM_RPC_URL \\(http://127\\.0\\.0\\.1:${port}\\)`));
  });

  it("refuses bad settings", () => {
    expect(() => electrumClient({ ELECTRUM_RPC_URL: "nope", ELECTRUM_RPC_USER: "u", ELECTRUM_RPC_PASS: "p" })).toThrow(/ELECTRUM_RPC_URL/);
    expect(() => electrumClient({ ELECTRUM_RPC_URL: "ftp://h", ELECTRUM_RPC_USER: "u", ELECTRUM_RPC_PASS: "p" })).toThrow(/ELECTRUM_RPC_URL/);
    expect(() => electrumClient({ ELECTRUM_RPC_URL: "http://127.0.0.1:1", ELECTRUM_RPC_USER: "", ELECTRUM_RPC_PASS: "p" })).toThrow(/ELECTRUM_RPC_USER/);
  });
});

// The result shapes of chain commands need a server-connected daemon, which cannot run here
// (no bitcoind); a stand-in answering exactly what Electrum 4.3's commands.py returns covers them.
describe("electrum-rpc result parsing (stand-in for an online daemon)", () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; params: unknown; auth?: string }> = [];
  const TXID = "f".repeat(64);

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: Record<string, unknown> };
        seen.push({ method, params, auth: req.headers.authorization });
        const results: Record<string, unknown> = {
          getaddresshistory: [
            { tx_hash: TXID, height: 101 },
            { tx_hash: "e".repeat(64), height: 0, fee: 141 },
          ],
          getaddressbalance: { confirmed: "0.0015", unconfirmed: "-1E-8" },
          broadcast: TXID,
          notify: true,
        };
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: results[method] ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("maps history, balance, broadcast and notify", async () => {
    const c = electrumClient({ ELECTRUM_RPC_URL: url, ELECTRUM_RPC_USER: "alice", ELECTRUM_RPC_PASS: "s3cret" });
    expect(await c.getAddressHistory("bcrt1qx")).toEqual([
      { txid: TXID, height: 101 },
      { txid: "e".repeat(64), height: 0, fee: 141n },
    ]);
    expect(await c.getAddressBalance("bcrt1qx")).toEqual({ confirmed: 150_000n, unconfirmed: -1n });
    expect(await c.broadcast("0200")).toBe(TXID);
    await c.notify("bcrt1qx", "https://pay.example.com/api/webhooks/electrum/tok");
    expect(seen.map((s) => s.method)).toEqual(["getaddresshistory", "getaddressbalance", "broadcast", "notify"]);
    expect(seen[3]!.params).toEqual({ address: "bcrt1qx", URL: "https://pay.example.com/api/webhooks/electrum/tok" });
    expect(seen[2]!.params).toEqual({ tx: "0200" });
    expect(seen[0]!.auth).toBe(`Basic ${Buffer.from("alice:s3cret").toString("base64")}`);
    await expect(c.broadcast("not hex")).rejects.toThrow(ElectrumError);
  });

  it("parses Electrum's Decimal strings exactly", () => {
    expect(electrumBtcToSats("0")).toBe(0n);
    expect(electrumBtcToSats("0E-8")).toBe(0n);
    expect(electrumBtcToSats("1E-8")).toBe(1n);
    expect(electrumBtcToSats("1E-7")).toBe(10n);
    expect(electrumBtcToSats("0.000001")).toBe(100n);
    expect(electrumBtcToSats("0.0015")).toBe(150_000n);
    expect(electrumBtcToSats("1.23456789")).toBe(123_456_789n);
    expect(electrumBtcToSats("21000000")).toBe(2_100_000_000_000_000n);
    expect(electrumBtcToSats("-0.0015")).toBe(-150_000n);
    expect(electrumBtcToSats("2.1E+7")).toBe(2_100_000_000_000_000n);
    for (const bad of ["", "abc", "1E-9", "0.000000001", "1e999999", "NaN"]) expect(() => electrumBtcToSats(bad)).toThrow(ElectrumError);
  });
});
