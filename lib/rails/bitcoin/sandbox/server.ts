// HTTP face of the chain simulator: the Blockstream Esplora REST paths and JSON shapes
// (github.com/Blockstream/esplora/blob/master/API.md, electrs src/rest.rs) for what Satchel
// uses, plus test controls under /_sim/. Errors are text/plain with electrs's wording
// ("Transaction not found", "sendrawtransaction RPC error: {...}").
//
// A test and local-development fake: the app decides whether it may ever point at it.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { BroadcastError, Chain, SimError, type SimOutput, type SimTx } from "./chain";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/bitcoin/sandbox/server.ts");

export interface Simulator {
  /** Base URL to use as ESPLORA_API_URL, e.g. http://127.0.0.1:3002 (no trailing slash). */
  url: string;
  chain: Chain;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  port?: number; // 0 (default) picks a free port
  host?: string; // default 127.0.0.1
  chain?: Chain;
}

const MAX_BODY = 4 * 1024 * 1024;

// ---- Esplora JSON ----------------------------------------------------------------------

function scriptType(script: string): string {
  if (script === "") return "empty";
  if (script.startsWith("6a")) return "op_return";
  if (/^0014[0-9a-f]{40}$/.test(script)) return "v0_p2wpkh";
  if (/^0020[0-9a-f]{64}$/.test(script)) return "v0_p2wsh";
  if (/^5120[0-9a-f]{64}$/.test(script)) return "v1_p2tr";
  if (/^76a914[0-9a-f]{40}88ac$/.test(script)) return "p2pkh";
  if (/^a914[0-9a-f]{40}87$/.test(script)) return "p2sh";
  return "unknown";
}

function scriptAsm(script: string): string {
  const m = /^(00|51)(14|20)([0-9a-f]+)$/.exec(script);
  if (m) return `${m[1] === "00" ? "OP_0" : "OP_PUSHNUM_1"} OP_PUSHBYTES_${parseInt(m[2]!, 16)} ${m[3]}`;
  const pkh = /^76a914([0-9a-f]{40})88ac$/.exec(script);
  if (pkh) return `OP_DUP OP_HASH160 OP_PUSHBYTES_20 ${pkh[1]} OP_EQUALVERIFY OP_CHECKSIG`;
  const sh = /^a914([0-9a-f]{40})87$/.exec(script);
  if (sh) return `OP_HASH160 OP_PUSHBYTES_20 ${sh[1]} OP_EQUAL`;
  return "";
}

function outputJson(o: SimOutput) {
  return {
    scriptpubkey: o.scriptpubkey,
    scriptpubkey_asm: scriptAsm(o.scriptpubkey),
    scriptpubkey_type: scriptType(o.scriptpubkey),
    // electrs omits the field when the script has no address; /_sim/pay keeps any string.
    ...(o.address !== null ? { scriptpubkey_address: o.address } : {}),
    value: Number(o.value),
  };
}

/** The transaction format of Esplora's API.md ("Transaction format"). */
export function toEsploraTx(chain: Chain, tx: SimTx) {
  return {
    txid: tx.txid,
    version: tx.version,
    locktime: tx.locktime,
    vin: tx.vin.map((i) => {
      const prev = chain.prevout(i);
      return {
        txid: i.txid,
        vout: i.vout,
        prevout: prev ? outputJson(prev) : null,
        scriptsig: i.scriptsig,
        scriptsig_asm: "",
        ...(i.witness.length ? { witness: i.witness } : {}),
        is_coinbase: false,
        sequence: i.sequence,
      };
    }),
    vout: tx.vout.map(outputJson),
    size: tx.size,
    weight: tx.weight,
    fee: Number(chain.fee(tx)),
    status: chain.status(tx.txid),
  };
}

// ---- control-endpoint bodies -----------------------------------------------------------

const sats = z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]*$/)]).transform(BigInt);
const payBody = z.union([
  z.object({ address: z.string().min(1), sats }).transform((b) => [{ address: b.address, sats: b.sats }]),
  z
    .object({
      outputs: z
        .array(z.object({ address: z.string().min(1), sats }))
        .min(1)
        .max(1000),
    })
    .transform((b) => b.outputs),
]);
const mineBody = z.object({ blocks: z.number().int().min(1).max(10_000).default(1) });
const reorgBody = z.object({ depth: z.number().int().min(1), drop: z.boolean().default(false) });
const txidBody = z.object({ txid: z.string().regex(/^[0-9a-f]{64}$/) });
const replaceBody = txidBody.extend({ address: z.string().min(1).optional() });
const failBody = z.object({
  status: z.number().int().min(400).max(599),
  count: z.number().int().min(0).max(1000).default(1),
  retryAfter: z.number().int().min(0).max(3600).optional(), // seconds, sent as Retry-After
});
const feesBody = z.record(z.string().regex(/^[0-9]+$/), z.number().positive());

// ---- server --------------------------------------------------------------------------

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new HttpError(413, "Payload too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson<T extends z.ZodType>(schema: T, text: string): z.output<T> {
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, "body must be JSON");
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError(400, `invalid body: ${z.prettifyError(r.error)}`);
  return r.data;
}

const bigintJson = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? Number(x) : x));

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const chain = opts.chain ?? new Chain();
  const host = opts.host ?? "127.0.0.1";
  const failures: { status: number; count: number; retryAfter?: number } = { status: 500, count: 0 };

  const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "text/plain", ...headers });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown, status = 200) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(bigintJson(value));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sim");
    // Accept an /api prefix too, so ESPLORA_API_URL may look like blockstream.info/api.
    const path = url.pathname.replace(/^\/api(?=\/)/, "");
    const p = path.split("/").slice(1).map(decodeURIComponent);
    const method = req.method ?? "GET";

    // ---- controls ----
    if (p[0] === "_sim") {
      const body = method === "POST" ? await readBody(req) : "";
      const route = `${method} ${p.slice(1).join("/")}`;
      switch (route) {
        case "GET state":
          return json(res, { ...chain.state(), failing: failures.count > 0 ? failures : null });
        case "POST pay":
          return json(res, { txid: chain.pay(parseJson(payBody, body)) });
        case "POST mine": {
          const { blocks } = parseJson(mineBody, body);
          return json(res, { hashes: chain.mine(blocks), height: chain.height });
        }
        case "POST reorg": {
          const { depth, drop } = parseJson(reorgBody, body);
          return json(res, { ...chain.reorg(depth, { drop }), height: chain.height });
        }
        case "POST replace": {
          const { txid, address } = parseJson(replaceBody, body);
          return json(res, { txid: chain.replace(txid, address), replaced: txid });
        }
        case "POST drop": {
          const { txid } = parseJson(txidBody, body);
          return json(res, { dropped: chain.drop(txid) });
        }
        case "POST fail": {
          const f = parseJson(failBody, body);
          failures.status = f.status;
          failures.count = f.count;
          failures.retryAfter = f.retryAfter;
          return json(res, { ok: true });
        }
        case "POST fees":
          chain.feeEstimates = parseJson(feesBody, body);
          return json(res, chain.feeEstimates);
      }
      throw new HttpError(404, `endpoint does not exist "${path}"`);
    }

    // ---- injected failures (Esplora paths only) ----
    if (failures.count > 0) {
      failures.count--;
      const headers: Record<string, string> = failures.retryAfter !== undefined ? { "Retry-After": String(failures.retryAfter) } : {};
      return text(res, failures.status, failures.status === 429 ? "Too Many Requests" : "Internal Server Error", headers);
    }

    // ---- Esplora ----
    const [a, b, c, d, e] = p;
    if (method === "POST" && a === "tx" && b === undefined) {
      return text(res, 200, chain.broadcast(await readBody(req)));
    }
    if (method !== "GET") throw new HttpError(404, `endpoint does not exist "${path}"`);

    if (a === "blocks" && b === "tip" && c === "height" && d === undefined) return text(res, 200, String(chain.height));
    if (a === "blocks" && b === "tip" && c === "hash" && d === undefined) return text(res, 200, chain.tip.hash);
    if (a === "block-height" && b !== undefined && c === undefined) {
      if (!/^[0-9]+$/.test(b)) throw new HttpError(400, "Invalid number");
      const block = chain.blocks[Number(b)];
      if (!block) throw new HttpError(404, "Block not found");
      return text(res, 200, block.hash);
    }
    if (a === "fee-estimates" && b === undefined) return json(res, chain.feeEstimates);
    if (a === "tx" && b !== undefined) {
      if (!/^[0-9a-f]{64}$/.test(b)) throw new HttpError(400, "Invalid hex string");
      if (c === "status" && d === undefined) return json(res, chain.status(b));
      const tx = chain.getTx(b);
      if (c === undefined) {
        if (!tx) throw new HttpError(404, "Transaction not found");
        return json(res, toEsploraTx(chain, tx));
      }
      if (c === "hex" && d === undefined) {
        if (!tx?.hex) throw new HttpError(404, "Transaction not found");
        return text(res, 200, tx.hex);
      }
    }
    if (a === "address" && b !== undefined) {
      const txs = (ids: string[]) =>
        json(
          res,
          ids.map((id) => toEsploraTx(chain, chain.getTx(id)!)),
        );
      if (c === undefined) return json(res, chain.addressStats(b));
      if (c === "txs" && d === undefined) return txs(chain.addressTxs(b));
      if (c === "txs" && d === "chain") return txs(chain.addressChainTxs(b, e));
      if (c === "txs" && d === "mempool" && e === undefined) return txs(chain.mempoolHistory(b).slice(0, 50));
      if (c === "utxo" && d === undefined) return json(res, chain.utxos(b));
    }
    throw new HttpError(404, `endpoint does not exist "${path}"`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof BroadcastError) return text(res, 400, err.message);
      if (err instanceof HttpError || err instanceof SimError) return text(res, err.status, err.message);
      text(res, 500, `simulator error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    chain,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
