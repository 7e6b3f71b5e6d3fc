// Client for an Esplora-compatible HTTP API (Blockstream's electrs, mempool.space, a
// self-hosted instance, or our simulator) — github.com/Blockstream/esplora/blob/master/API.md.
//
// - Every response is validated with zod; amounts come back as bigint sats.
// - 429 and 5xx (and connection failures/timeouts) are retried with exponential backoff and
//   jitter, honouring Retry-After. When retries run out, or the host cannot be reached, the
//   caller gets a ChainError: "the network is unavailable, try later" — never a crash.
// - Other 4xx are EsploraHttpError (our request was wrong; retrying will not help).
// - broadcast() treats "already in the mempool / in a block" answers as success (AlreadyKnown),
//   so re-broadcasting a stored transaction is idempotent.
// - stats counts every HTTP attempt, for the bench and for throttling checks.

import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { z } from "zod";
import { metrics } from "@/lib/metrics";

// ---- errors ------------------------------------------------------------------------------

export type ChainErrorKind =
  | "unreachable" // connection refused / DNS / reset
  | "timeout" // no answer within timeoutMs
  | "unavailable" // 429 or 5xx after all retries
  | "invalid_response"; // answered, but not in Esplora's format

/** The chain backend cannot be used right now. The UI shows "waiting for the network". */
export class ChainError extends Error {
  constructor(
    readonly kind: ChainErrorKind,
    message: string,
    readonly details: { url: string; status?: number; body?: string; cause?: unknown } = { url: "" },
  ) {
    super(message, { cause: details.cause });
    this.name = "ChainError";
  }
}

/** The backend answered 4xx (other than 429): it understood and refused the request. */
export class EsploraHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly url: string,
    /** For broadcast: Bitcoin Core's RPC error, when the body carries one. */
    readonly rpc?: { code: number; message: string },
  ) {
    super(`Esplora answered ${status} for ${url}: ${body.slice(0, 300)}`);
    this.name = "EsploraHttpError";
  }
}

// ---- response schemas --------------------------------------------------------------------

const sats = z
  .number()
  .int()
  .nonnegative()
  .transform((n) => BigInt(n));
const txid = z.string().regex(/^[0-9a-f]{64}$/);
const optional = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

const txStatusSchema = z.object({
  confirmed: z.boolean(),
  block_height: optional(z.number().int().nonnegative()),
  block_hash: optional(z.string()),
  block_time: optional(z.number().int()),
});

const outputSchema = z.object({
  scriptpubkey: optional(z.string()),
  scriptpubkey_type: optional(z.string()),
  scriptpubkey_address: optional(z.string()),
  value: sats,
});

const txSchema = z.object({
  txid,
  vin: z.array(
    z.object({
      txid,
      vout: z.number().int().nonnegative(),
      is_coinbase: z.boolean().default(false),
      prevout: outputSchema.nullable().default(null),
    }),
  ),
  vout: z.array(outputSchema),
  fee: optional(sats),
  status: txStatusSchema,
});

const utxoSchema = z.object({
  txid,
  vout: z.number().int().nonnegative(),
  value: sats,
  status: txStatusSchema,
});

const statsSchema = z.object({
  funded_txo_count: z.number().int(),
  funded_txo_sum: sats,
  spent_txo_count: z.number().int(),
  spent_txo_sum: sats,
  tx_count: z.number().int(),
});
const addressSchema = z.object({ address: z.string(), chain_stats: statsSchema, mempool_stats: statsSchema });

const feeEstimatesSchema = z.record(z.string().regex(/^[0-9]+$/), z.number().nonnegative());

export type EsploraTxStatus = z.output<typeof txStatusSchema>;
export type EsploraTx = z.output<typeof txSchema>;
export type EsploraUtxo = z.output<typeof utxoSchema>;
export type EsploraAddress = z.output<typeof addressSchema>;
/** Confirmation target in blocks ("1", "6", "144", …) → sat/vB (floats, as Esplora sends). */
export type FeeEstimates = Record<string, number>;

export type BroadcastResult =
  | { status: "accepted"; txid: string }
  /** The network already has it (mempool or a block): for an idempotent re-broadcast, success. */
  | AlreadyKnown;
export interface AlreadyKnown {
  status: "already_known";
  txid: string;
  message: string;
}

// ---- client ------------------------------------------------------------------------------

export interface EsploraOptions {
  /** ESPLORA_API_URL, e.g. https://blockstream.info/api or https://mempool.space/testnet/api */
  baseUrl: string;
  /** Retries after the first attempt for 429/5xx/connection failures. Default 4. */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Cap for any single wait, Retry-After included. Default 10 s. */
  maxDelayMs?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  /** Safety cap on /txs/chain pages for one address. Default 200 (5,000 confirmed txs). */
  maxPages?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface EsploraStats {
  /** HTTP attempts made, retries included. */
  requests: number;
  /** Attempts that were retries. */
  retries: number;
}

const CHAIN_PAGE = 25; // electrs CHAIN_TXS_PER_PAGE

/** Bitcoin Core / electrs / Electrum answers meaning "this transaction is already known". */
export const ALREADY_KNOWN =
  /already in block chain|already-in-block-?chain|txn-already-known|txn-already-in-mempool|already in utxo set|already have transaction|already known/i;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Confirmations of a transaction at the given tip height (0 while unconfirmed). */
export function confirmations(status: EsploraTxStatus, tipHeight: number): number {
  if (!status.confirmed || status.block_height === undefined) return 0;
  return Math.max(0, tipHeight - status.block_height + 1);
}

export class EsploraClient {
  readonly stats: EsploraStats = { requests: 0, retries: 0 };
  private readonly base: string;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: EsploraOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, "");
    this.retries = opts.retries ?? 4;
    this.baseDelayMs = opts.baseDelayMs ?? 200;
    this.maxDelayMs = opts.maxDelayMs ?? 10_000;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxPages = opts.maxPages ?? 200;
    this.fetchImpl = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** GET /blocks/tip/height */
  async tipHeight(): Promise<number> {
    const text = await this.text("/blocks/tip/height");
    const n = Number(text.trim());
    if (!Number.isSafeInteger(n) || n < 0) throw this.invalid("/blocks/tip/height", text);
    return n;
  }

  /** GET /blocks/tip/hash */
  async tipHash(): Promise<string> {
    const text = (await this.text("/blocks/tip/hash")).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw this.invalid("/blocks/tip/hash", text);
    return text;
  }

  /** GET /block-height/:height → the hash of the block at that height on the backend's best chain. */
  async blockHash(height: number): Promise<string> {
    const path = `/block-height/${height}`;
    const text = (await this.text(path)).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw this.invalid(path, text);
    return text;
  }

  /**
   * Full history of an address, newest first: mempool transactions (Esplora returns at most
   * 50), then every confirmed one, paging /txs/chain/:last_seen_txid 25 at a time.
   */
  async addressTxs(address: string): Promise<EsploraTx[]> {
    const a = encodeURIComponent(address);
    const first = await this.json(`/address/${a}/txs`, z.array(txSchema));
    const seen = new Set(first.map((t) => t.txid));
    const all = [...first];
    let page = first.filter((t) => t.status.confirmed);
    for (let i = 0; page.length >= CHAIN_PAGE && i < this.maxPages; i++) {
      const last = page[page.length - 1]!.txid;
      page = await this.json(`/address/${a}/txs/chain/${last}`, z.array(txSchema));
      // A block arriving between pages can shift the list; never return a tx twice.
      for (const t of page) {
        if (seen.has(t.txid)) continue;
        seen.add(t.txid);
        all.push(t);
      }
    }
    return all;
  }

  /** GET /tx/:txid — null when the backend does not know it (404). */
  async tx(id: string): Promise<EsploraTx | null> {
    try {
      return await this.json(`/tx/${encodeURIComponent(id)}`, txSchema);
    } catch (e) {
      if (e instanceof EsploraHttpError && e.status === 404) return null;
      throw e;
    }
  }

  /**
   * GET /tx/:txid/status. Note: electrs answers {"confirmed":false} for txids it has never
   * seen (dropped, replaced); use tx() or addressTxs() to tell "unconfirmed" from "gone".
   */
  async txStatus(id: string): Promise<EsploraTxStatus> {
    return this.json(`/tx/${encodeURIComponent(id)}/status`, txStatusSchema);
  }

  /** GET /address/:a/utxo */
  async addressUtxos(address: string): Promise<EsploraUtxo[]> {
    return this.json(`/address/${encodeURIComponent(address)}/utxo`, z.array(utxoSchema));
  }

  /** GET /address/:a — chain_stats and mempool_stats (sums as bigint sats). */
  async address(address: string): Promise<EsploraAddress> {
    return this.json(`/address/${encodeURIComponent(address)}`, addressSchema);
  }

  /** GET /fee-estimates → {"1": 87.882, "6": 68.285, "144": 1.027, …} (sat/vB). */
  async feeEstimates(): Promise<FeeEstimates> {
    return this.json("/fee-estimates", feeEstimatesSchema);
  }

  /**
   * POST /tx with the raw hex. "Already in the mempool / in a block" answers come back as
   * AlreadyKnown (with the txid computed from the hex); other refusals throw EsploraHttpError
   * with Bitcoin Core's RPC code and message when present.
   */
  async broadcast(rawHex: string): Promise<BroadcastResult> {
    const body = rawHex.trim();
    try {
      const res = await this.text("/tx", { method: "POST", body, headers: { "Content-Type": "text/plain" } });
      const id = res.trim();
      if (!/^[0-9a-f]{64}$/.test(id)) throw this.invalid("/tx", res);
      return { status: "accepted", txid: id };
    } catch (e) {
      if (e instanceof EsploraHttpError && ALREADY_KNOWN.test(e.body)) {
        return { status: "already_known", txid: txidOf(body) ?? "", message: e.rpc?.message ?? e.body };
      }
      throw e;
    }
  }

  // ---- transport -------------------------------------------------------------------------

  private async json<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T>> {
    const text = await this.text(path);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw this.invalid(path, text);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw this.invalid(path, text, parsed.error);
    return parsed.data;
  }

  private invalid(path: string, body: string, cause?: unknown): ChainError {
    return new ChainError("invalid_response", `unexpected answer from Esplora at ${this.base}${path}`, {
      url: this.base + path,
      body: body.slice(0, 500),
      cause,
    });
  }

  /** One logical request: retries 429/5xx/network failures, returns the 2xx body text. */
  private async text(path: string, init: RequestInit = {}): Promise<string> {
    const url = this.base + path;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.stats.retries++;
      this.stats.requests++;
      metrics().chainCalls.inc({ backend: "esplora" });
      const last = attempt >= this.retries;
      let res: Response;
      try {
        res = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (cause) {
        const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
        if (last) {
          throw new ChainError(
            timedOut ? "timeout" : "unreachable",
            timedOut ? `Esplora at ${this.base} did not answer within ${this.timeoutMs} ms` : `cannot reach Esplora at ${this.base}: ${describeError(cause)}`,
            { url, cause },
          );
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }

      const body = await res.text().catch(() => "");
      if (res.ok) return body;
      if (res.status === 429 || res.status >= 500) {
        if (res.status === 429) metrics().chainRateLimited.inc({ backend: "esplora" });
        if (last) {
          throw new ChainError("unavailable", `Esplora at ${this.base} is unavailable (HTTP ${res.status} after ${attempt + 1} attempts)`, {
            url,
            status: res.status,
            body: body.slice(0, 500),
          });
        }
        await this.sleep(retryAfterMs(res.headers.get("retry-after"), this.maxDelayMs) ?? this.backoff(attempt));
        continue;
      }
      throw new EsploraHttpError(res.status, body, url, rpcError(body));
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }
}

/** Retry-After is either delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null, cap: number): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header.trim());
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(cap, Math.max(0, ms));
}

/** Parses `sendrawtransaction RPC error: {"code":-26,"message":"..."}` when present. */
function rpcError(body: string): { code: number; message: string } | undefined {
  const m = /\{.*\}/s.exec(body);
  if (!m) return undefined;
  try {
    const r = z.object({ code: z.number(), message: z.string() }).safeParse(JSON.parse(m[0]));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The txid of a raw transaction in hex, or undefined when it does not parse. */
export function txidOf(rawHex: string): string | undefined {
  try {
    return Transaction.fromRaw(hex.decode(rawHex.toLowerCase()), {
      allowUnknownOutputs: true,
      allowUnknownInputs: true,
      disableScriptCheck: true,
    }).id;
  } catch {
    return undefined;
  }
}

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? ` (${(e.cause as NodeJS.ErrnoException).code ?? e.cause.message})` : "";
  return `${e.message}${cause}`;
}
