// A stand-in for an Electrum 4.3 daemon connected to a server, for the chain commands an
// offline daemon cannot answer (test/electrum-daemon.ts runs the real one, offline). It
// answers the way electrum/daemon.py and electrum/commands.py (4.3.4) do:
//   - basic auth: no header → 401 "Unauthorized", wrong credentials → 403 "Forbidden";
//     unknown method or unparsable request → 500 "Invalid Request" (plain text);
//   - {"id", "jsonrpc": "2.0", "result"} or {"id", "jsonrpc": "2.0", "error": {"code": 1,
//     "message": str(exception)}};
//   - getinfo: the dict of commands.getinfo; getaddresshistory: the server's
//     blockchain.scripthash.get_history (confirmed by height ascending, then mempool with
//     height 0 and fee); gettransaction: raw hex, or "The server returned an error." for a
//     txid the server does not have; getaddressunspent: [{tx_hash, tx_pos, height, value}];
//     getfeerate(fee_method, fee_level): sat/kvB or null; broadcast(tx): the txid, or the
//     phrase Electrum's sanitize_tx_broadcast_response keeps from the server's refusal.
// Behind it, a tiny chain: pay() makes a real raw transaction (@scure/btc-signer) in the
// mempool, mine() confirms the mempool, unmine() takes the last block's transactions back.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { type BtcNetwork, networkParams } from "@/lib/rails/bitcoin/networks";

interface StoredTx {
  txid: string;
  hex: string;
  outputs: { address: string | undefined; sats: bigint }[];
  /** Block height; 0 while in the mempool. */
  height: number;
  fee: number;
}

export interface ElectrumStandIn {
  url: string;
  user: string;
  pass: string;
  /** getinfo's blockchain_height. */
  height: number;
  /** getinfo's connected. */
  connected: boolean;
  /** getfeerate answers by fee_level (sat/kvB; null before the server sent estimates). */
  feeRates: Map<number, number | null>;
  /** Commands that fail with this message (str(exception)), e.g. a daemon that lost its server. */
  fail: Map<string, string>;
  /** When set, broadcast refuses new transactions with this message. */
  refuse: string | null;
  /** Every request: method and params. */
  calls: { method: string; params: Record<string, unknown> }[];
  /** A new mempool transaction paying `outputs`; returns its txid. */
  pay(outputs: { address: string; sats: bigint }[]): string;
  /** Mines n blocks; the first one confirms the whole mempool. */
  mine(n?: number): void;
  /** Takes the last block away; its transactions go back to the mempool. */
  unmine(): void;
  /** Forgets a mempool transaction (dropped or replaced). */
  drop(txid: string): void;
  /** Raw hex of a transaction the chain knows. */
  rawTx(txid: string): string;
  close(): Promise<void>;
}

export async function startElectrumStandIn(network: BtcNetwork = "regtest"): Promise<ElectrumStandIn> {
  const signer = networkParams(network).signer;
  const txs = new Map<string, StoredTx>();
  let seq = 0;

  const history = (address: string) => {
    const mine = [...txs.values()].filter((t) => t.outputs.some((o) => o.address === address));
    const confirmed = mine.filter((t) => t.height > 0).sort((a, b) => a.height - b.height);
    const mempool = mine.filter((t) => t.height === 0);
    return [...confirmed.map((t) => ({ tx_hash: t.txid, height: t.height })), ...mempool.map((t) => ({ tx_hash: t.txid, height: 0, fee: t.fee }))];
  };

  const state: ElectrumStandIn = {
    url: "",
    user: "satchel-standin",
    pass: randomBytes(12).toString("base64url"),
    height: 100,
    connected: true,
    // Electrum's regtest answer is always 180000; these look like mainnet's, per target.
    feeRates: new Map([
      [1, 30_000],
      [0.75, 20_000],
      [0.5, 12_000],
      [0.25, 6_000],
      [0, 2_000],
    ]),
    fail: new Map(),
    refuse: null,
    calls: [],
    pay(outputs) {
      const tx = new Transaction({ allowUnknownInputs: true });
      tx.addInput({ txid: randomBytes(32), index: seq++ % 4 });
      for (const o of outputs) tx.addOutputAddress(o.address, o.sats, signer);
      const raw = hex.encode(tx.toBytes(true, false));
      const parsed = Transaction.fromRaw(hex.decode(raw), { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
      txs.set(parsed.id, { txid: parsed.id, hex: raw, outputs: outputs.map((o) => ({ address: o.address, sats: o.sats })), height: 0, fee: 141 });
      return parsed.id;
    },
    mine(n = 1) {
      for (let i = 0; i < n; i++) {
        state.height++;
        for (const t of txs.values()) if (t.height === 0) t.height = state.height;
      }
    },
    unmine() {
      for (const t of txs.values()) if (t.height === state.height) t.height = 0;
      state.height--;
    },
    drop(txid) {
      if (txs.get(txid)?.height === 0) txs.delete(txid);
    },
    rawTx(txid) {
      return txs.get(txid)!.hex;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };

  const commands: Record<string, (p: Record<string, unknown>) => unknown> = {
    getinfo: () => ({
      network, // constants.net.NET_NAME: mainnet, testnet, regtest, signet
      path: "/tmp/electrum",
      server: "127.0.0.1",
      blockchain_height: state.height,
      server_height: state.height,
      spv_nodes: 1,
      connected: state.connected,
      auto_connect: false,
      version: "4.3.4",
      default_wallet: "/tmp/electrum/regtest/wallets/default_wallet",
      fee_per_kb: 180000,
    }),
    getaddresshistory: (p) => history(String(p.address)),
    gettransaction: (p) => {
      const t = txs.get(String(p.txid));
      if (!t) throw new Error("The server returned an error.");
      return t.hex;
    },
    getaddressunspent: (p) =>
      history(String(p.address)).flatMap((h) =>
        txs
          .get(h.tx_hash)!
          .outputs.map((o, tx_pos) => ({ o, tx_pos }))
          .filter(({ o }) => o.address === p.address)
          .map(({ o, tx_pos }) => ({ tx_hash: h.tx_hash, tx_pos, height: h.height, value: Number(o.sats) })),
      ),
    getfeerate: (p) => {
      if (p.fee_method !== "eta") throw new Error(`Invalid fee estimation method: ${String(p.fee_method)}`);
      return state.feeRates.get(Number(p.fee_level)) ?? null;
    },
    broadcast: (p) => {
      const raw = String(p.tx).toLowerCase();
      const txid = Transaction.fromRaw(hex.decode(raw), { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true }).id;
      const known = txs.get(txid);
      // What Electrum makes of the server's refusal: an older bitcoind's "txn-already-in-mempool"
      // passes through; Bitcoin Core 22+'s "Transaction outputs already in utxo set" (a
      // confirmed transaction) is not on Electrum's list, so it says "Unknown error".
      if (known?.height === 0) throw new Error("txn-already-in-mempool");
      if (known) throw new Error("Unknown error");
      if (state.refuse) throw new Error(state.refuse);
      const tx = Transaction.fromRaw(hex.decode(raw), { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true });
      const outputs = Array.from({ length: tx.outputsLength }, (_, i) => {
        let address: string | undefined;
        try {
          address = tx.getOutputAddress(i, signer);
        } catch {
          address = undefined;
        }
        return { address, sats: tx.getOutput(i).amount ?? 0n };
      });
      txs.set(txid, { txid, hex: raw, outputs, height: 0, fee: 200 });
      return txid;
    },
  };

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const auth = req.headers.authorization;
      if (!auth?.startsWith("Basic ")) {
        res.writeHead(401, { "WWW-Authenticate": "Basic realm=Electrum", "content-type": "text/plain" });
        return res.end("Unauthorized");
      }
      const [user, ...rest] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
      if (user !== state.user || rest.join(":") !== state.pass) {
        res.writeHead(403, { "content-type": "text/plain" });
        return res.end("Forbidden");
      }
      let id: unknown, method: string, params: Record<string, unknown>;
      try {
        ({ id, method, params = {} } = JSON.parse(body) as { id: unknown; method: string; params?: Record<string, unknown> });
        if (!(method in commands)) throw new Error(`attempting to use unregistered method: ${method}`);
      } catch {
        res.writeHead(500, { "content-type": "text/plain" });
        return res.end("Invalid Request");
      }
      state.calls.push({ method, params });
      let answer: Record<string, unknown>;
      try {
        const failure = state.fail.get(method);
        if (failure) throw new Error(failure);
        answer = { id, jsonrpc: "2.0", result: commands[method]!(params) };
      } catch (e) {
        answer = { id, jsonrpc: "2.0", error: { code: 1, message: (e as Error).message } };
      }
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
