// The chain simulator's Electrum-server face: the Electrum protocol 1.4 (JSON-RPC 2.0 over TCP,
// one JSON message per line, batches as arrays) as electrs, Fulcrum and ElectrumX serve it
// (electrumx.readthedocs.io/en/latest/protocol-methods.html), for what Satchel uses —
// headers and scripthash subscriptions with their notifications included — over the same
// Chain as the Esplora face. Plus one test control: dropConnections(), a server restart as the
// client sees it.
//
// A test and local-development fake: the app decides whether it may ever point at it.

import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { hex } from "@scure/base";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { BroadcastError, type Chain, scriptForAddress } from "./chain";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/bitcoin/sandbox/electrum-server.ts");

export interface ElectrumSimulator {
  /** tcp://127.0.0.1:<port>, the form ELECTRUM_SERVER_URL takes. */
  url: string;
  port: number;
  /** Closes every client connection (as a restarting server would); the listener stays up. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** The protocol's script hash: SHA-256 of the output script, byte-reversed, hex. */
export const scripthashOfScript = (scriptHex: string): string => hex.encode(createHash("sha256").update(hex.decode(scriptHex)).digest().reverse());

interface RpcRequest {
  id?: number | string | null;
  method?: unknown;
  params?: unknown;
}

class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

// Fee estimates are kept in sat/vB; the protocol answers BTC per kvB.
const btcPerKvB = (satPerVb: number) => Math.round(satPerVb * 1000) / 1e8;

export async function startElectrumSimulator(chain: Chain, opts: { port?: number; host?: string } = {}): Promise<ElectrumSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const sockets = new Set<Socket>();
  // Per connection: the scripthashes it subscribed (with the last status sent) and headers.
  const subs = new Map<Socket, { scripthashes: Map<string, string | null>; headers: boolean; lastTip: string | null }>();

  /** scripthash → address, for every address the chain has seen. */
  const addressOf = (sh: string): string | null => {
    for (const address of chain.knownAddresses()) {
      const script = scriptForAddress(address);
      if (script && scripthashOfScript(script) === sh) return address;
    }
    return null;
  };

  /** History in the protocol's order: confirmed by height (then block position), then the mempool. */
  const history = (sh: string) => {
    const address = addressOf(sh);
    if (!address) return [];
    const confirmed = chain
      .chainHistory(address)
      .reverse()
      .map((txid) => ({ tx_hash: txid, height: chain.status(txid).block_height! }));
    const mempool = chain
      .mempoolHistory(address)
      .reverse()
      .map((txid) => {
        const tx = chain.getTx(txid)!;
        const unconfirmedParent = tx.vin.some((i) => !i.fundingPrevout && chain.getTx(i.txid) && !chain.status(i.txid).confirmed);
        return { tx_hash: txid, height: unconfirmedParent ? -1 : 0, fee: Number(chain.fee(tx)) };
      });
    return [...confirmed, ...mempool];
  };

  const status = (sh: string): string | null => {
    const h = history(sh);
    if (h.length === 0) return null;
    return createHash("sha256")
      .update(h.map((e) => `${e.tx_hash}:${e.height}:`).join(""))
      .digest("hex");
  };

  const tipJson = () => ({ height: chain.height, hex: chain.tip.header });

  function call(socket: Socket, method: string, params: unknown[]): unknown {
    const str = (i: number) => {
      const v = params[i];
      if (typeof v !== "string") throw new RpcError(-32602, `invalid params: argument ${i + 1} must be a string`);
      return v;
    };
    const sh = (i: number) => {
      const v = str(i);
      if (!/^[0-9a-f]{64}$/.test(v)) throw new RpcError(1, `${v} is not a valid script hash`);
      return v;
    };
    switch (method) {
      case "server.version":
        return ["Satchel chain simulator 1.0", "1.4"];
      case "server.ping":
        return null;
      case "server.features":
        return {
          genesis_hash: chain.blocks[0]!.hash,
          hosts: {},
          protocol_min: "1.4",
          protocol_max: "1.4",
          server_version: "Satchel chain simulator 1.0",
          hash_function: "sha256",
          pruning: null,
        };
      case "blockchain.headers.subscribe": {
        const s = subs.get(socket)!;
        s.headers = true;
        s.lastTip = chain.tip.hash;
        return tipJson();
      }
      case "blockchain.block.header": {
        const height = params[0];
        if (typeof height !== "number" || !Number.isInteger(height) || height < 0 || height > chain.height)
          throw new RpcError(1, `height ${JSON.stringify(height)} out of range`);
        return chain.blocks[height]!.header;
      }
      case "blockchain.scripthash.get_history":
        return history(sh(0));
      case "blockchain.scripthash.get_balance": {
        const address = addressOf(sh(0));
        let confirmed = 0n;
        let unconfirmed = 0n;
        for (const u of address ? chain.utxos(address) : []) {
          if (u.status.confirmed) confirmed += u.value;
          else unconfirmed += u.value;
        }
        return { confirmed: Number(confirmed), unconfirmed: Number(unconfirmed) };
      }
      case "blockchain.scripthash.listunspent": {
        const address = addressOf(sh(0));
        return (address ? chain.utxos(address) : []).map((u) => ({
          tx_hash: u.txid,
          tx_pos: u.vout,
          height: u.status.block_height ?? 0,
          value: Number(u.value),
        }));
      }
      case "blockchain.scripthash.subscribe": {
        const hash = sh(0);
        const st = status(hash);
        subs.get(socket)!.scripthashes.set(hash, st);
        return st;
      }
      case "blockchain.scripthash.unsubscribe":
        return subs.get(socket)!.scripthashes.delete(sh(0));
      case "blockchain.transaction.get": {
        const txid = str(0);
        // electrs: "verbose transactions are currently unsupported"; Satchel never asks for them.
        if (params[1] === true) throw new RpcError(1, "verbose transactions are currently unsupported");
        const tx = chain.getTx(txid);
        if (!tx) throw new RpcError(1, `transaction not found: ${txid}`);
        return tx.hex;
      }
      case "blockchain.transaction.broadcast":
        try {
          return chain.broadcast(str(0));
        } catch (err) {
          // ElectrumX/Fulcrum's wording: the daemon's refusal after a fixed sentence.
          if (err instanceof BroadcastError)
            throw new RpcError(1, `the transaction was rejected by network rules.\n\n${err.rpcMessage}\n[${str(0).slice(0, 64)}]`);
          throw err;
        }
      case "blockchain.estimatefee": {
        const target = params[0];
        if (typeof target !== "number" || !Number.isInteger(target) || target < 1)
          throw new RpcError(-32602, "invalid params: target must be a positive integer");
        // The estimate for the nearest target at or below the one asked (as Bitcoin Core answers).
        const known = Object.keys(chain.feeEstimates)
          .map(Number)
          .filter((t) => t <= target)
          .sort((a, b) => b - a)[0];
        return known === undefined ? -1 : btcPerKvB(chain.feeEstimates[String(known)]!);
      }
      case "blockchain.relayfee":
        return 0.00001;
      default:
        throw new RpcError(-32601, `unknown method "${method}"`);
    }
  }

  function answer(socket: Socket, req: RpcRequest) {
    const id = req.id ?? null;
    try {
      if (typeof req.method !== "string") throw new RpcError(-32600, "invalid request");
      const params = Array.isArray(req.params) ? req.params : [];
      return { jsonrpc: "2.0", id, result: call(socket, req.method, params) };
    } catch (err) {
      const e = err instanceof RpcError ? err : new RpcError(-32603, (err as Error).message);
      return { jsonrpc: "2.0", id, error: { code: e.code, message: e.message } };
    }
  }

  function onLine(socket: Socket, line: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } })}\n`);
      return;
    }
    const out = Array.isArray(msg) ? msg.map((m) => answer(socket, m as RpcRequest)) : answer(socket, msg as RpcRequest);
    socket.write(`${JSON.stringify(out)}\n`);
  }

  // After every chain change: a new tip to header subscribers, a new status to scripthash subscribers.
  const unsubscribe = chain.onChange(() => {
    for (const [socket, s] of subs) {
      if (s.headers && s.lastTip !== chain.tip.hash) {
        s.lastTip = chain.tip.hash;
        socket.write(`${JSON.stringify({ jsonrpc: "2.0", method: "blockchain.headers.subscribe", params: [tipJson()] })}\n`);
      }
      for (const [hash, last] of s.scripthashes) {
        const now = status(hash);
        if (now === last) continue;
        s.scripthashes.set(hash, now);
        socket.write(`${JSON.stringify({ jsonrpc: "2.0", method: "blockchain.scripthash.subscribe", params: [hash, now] })}\n`);
      }
    }
  });

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    subs.set(socket, { scripthashes: new Map(), headers: false, lastTip: null });
    socket.setEncoding("utf8");
    let buffer = "";
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (line) onLine(socket, line);
      }
      if (buffer.length > 1_000_000) socket.destroy();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      sockets.delete(socket);
      subs.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `tcp://${host}:${port}`,
    port,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
