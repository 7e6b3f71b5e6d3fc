import { createHash } from "node:crypto";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { z } from "zod";
import type { AddressOutput, AddressUtxo, BroadcastResult, ChainBackend, FeeEstimates, TxStatus } from "./backend";
import { ALREADY_KNOWN, ChainError, txidOf } from "./esplora";
import { addressOutputScript, type BtcNetwork, networkOfGenesis } from "./networks";

// The chain backend over an Electrum server (BTC_CHAIN_BACKEND=electrum-server): electrs,
// Fulcrum or ElectrumX — what self-hosted nodes (Umbrel, Start9, RaspiBlitz) run — at
// ELECTRUM_SERVER_URL (tcp://host:50001 or ssl://host:50002). The Electrum protocol 1.4:
// JSON-RPC 2.0 over one long-lived TCP/TLS connection, a message per line, batches as arrays.
//   tipHeight       blockchain.headers.subscribe once; afterwards the server pushes every new
//                   tip, so the height costs no call at all.
//   addressOutputs  blockchain.scripthash.get_history → [{tx_hash, height}] (height > 0: in that
//                   block; 0 or -1: mempool), then, batched, blockchain.transaction.get for the
//                   transactions not yet cached (raw hex, decoded here) and blockchain.block.header
//                   for the heights (the block hash and time come from the header).
//   addressUtxos    blockchain.scripthash.listunspent.
//   feeEstimates    blockchain.estimatefee for each target, batched (BTC/kvB → sat/vB).
//   broadcast       blockchain.transaction.broadcast; the daemon's "already known" refusals mean
//                   already_known.
//   txStatus        blockchain.transaction.get (refused ⇒ unknown), then the history of the
//                   script its first output pays (electrs has no verbose transactions).
//   watch           blockchain.scripthash.subscribe: the server pushes a new status whenever an
//                   address's history changes; after a dropped connection the client reconnects
//                   (1 s, doubling to 30 s), resubscribes everything and reports every address
//                   whose status changed meanwhile, so no payment is missed.
// A small client of our own rather than @mempool/electrum-client: that one throws from inside
// its socket handler on an unexpected message (an uncaught exception in a web server) and
// hands back the whole message for a null result.

export interface ElectrumServerOptions {
  url: string;
  network: BtcNetwork;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

const TX_CACHE = 2_000;
const TxHash = z.string().regex(/^[0-9a-f]{64}$/);
const History = z.array(z.object({ tx_hash: TxHash, height: z.number().int() }).loose());
const Unspent = z.array(
  z.object({ tx_hash: TxHash, tx_pos: z.number().int().nonnegative(), height: z.number().int(), value: z.number().int().nonnegative() }).loose(),
);
const Header = z.string().regex(/^[0-9a-f]{160}$/i);
const Tip = z.object({ height: z.number().int().nonnegative(), hex: Header }).loose();
const RawTx = z.string().regex(/^([0-9a-f]{2})+$/i);
const FEE_TARGETS = [1, 2, 3, 6, 12, 25, 144] as const;

const dsha256 = (b: Uint8Array) => createHash("sha256").update(createHash("sha256").update(b).digest()).digest();
/** A block's hash (display order) from its 80-byte header. */
export const headerHashOf = (header: string): string => hex.encode(dsha256(hex.decode(header)).reverse());
const headerTimeOf = (header: string): number => new DataView(hex.decode(header).buffer).getUint32(68, true);
/** The protocol's script hash of an address: SHA-256 of its output script, byte-reversed. */
export const scripthashOf = (address: string, network: BtcNetwork): string =>
  hex.encode(createHash("sha256").update(addressOutputScript(address, network)).digest().reverse());

/** An Electrum server's answer to a request (an error object), as opposed to a failed connection. */
export class ElectrumServerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ElectrumServerError";
  }
}

export class ElectrumServerChain implements ChainBackend {
  readonly name = "electrum-server";
  readonly stats = { requests: 0 };
  private readonly target: { host: string; port: number; tls: boolean };
  private readonly timeoutMs: number;
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;
  private retryMs = 1_000;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** The pushed tip (after the first headers.subscribe on this connection). */
  private tip: { height: number; hash: string } | null = null;
  private readonly txCache = new Map<string, string>();
  /** Watched addresses by script hash, with the last status the server reported. */
  private readonly watched = new Map<string, { address: string; status: string | null | undefined }>();
  private readonly activityListeners = new Set<(address: string) => void>();
  private readonly blockListeners = new Set<(tip: { height: number; hash: string }) => void>();

  constructor(private readonly opts: ElectrumServerOptions) {
    const u = new URL(opts.url);
    const tls = u.protocol === "ssl:" || u.protocol === "tls:";
    if (!tls && u.protocol !== "tcp:") throw new Error(`ELECTRUM_SERVER_URL must be tcp://host:port or ssl://host:port, got ${u.protocol}//`);
    this.target = { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) || (tls ? 50002 : 50001), tls };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  // ---- ChainBackend ----------------------------------------------------------------------

  async tipHeight(): Promise<number> {
    await this.connection();
    if (!this.tip) return (await this.subscribeHeaders()).height;
    // The server pushes a block before it answers any request sent after it (one ordered
    // connection), so once the requests in flight — an address read started beside this one,
    // say — are answered, the tip is at least as new as anything they show. setImmediate lets
    // such a request go out first.
    await new Promise((r) => setImmediate(r));
    await Promise.allSettled([...this.inFlight]);
    return this.tip?.height ?? (await this.subscribeHeaders()).height;
  }

  async network(): Promise<{ network: BtcNetwork | null; evidence: string }> {
    const genesis = headerHashOf(Header.parse(await this.request("blockchain.block.header", [0])));
    return { network: networkOfGenesis(genesis), evidence: `genesis block ${genesis}` };
  }

  async addressOutputs(address: string): Promise<AddressOutput[]> {
    const script = hex.encode(addressOutputScript(address, this.opts.network));
    const history = History.parse(await this.request("blockchain.scripthash.get_history", [scripthashOf(address, this.opts.network)]));
    const missing = [...new Set(history.map((h) => h.tx_hash).filter((t) => !this.txCache.has(t)))];
    const heights = [...new Set(history.map((h) => h.height).filter((h) => h > 0))];
    const answers = await this.batch([
      ...missing.map((t) => ["blockchain.transaction.get", [t]] as const),
      ...heights.map((h) => ["blockchain.block.header", [h]] as const),
    ]);
    missing.forEach((t, i) => {
      this.remember(t, RawTx.parse(answers[i]));
    });
    const headers = new Map(heights.map((h, i) => [h, Header.parse(answers[missing.length + i])]));
    const outputs: AddressOutput[] = [];
    for (const h of history) {
      const tx = Transaction.fromRaw(hex.decode(this.txCache.get(h.tx_hash)!), {
        allowUnknownOutputs: true,
        allowUnknownInputs: true,
        disableScriptCheck: true,
      });
      const header = h.height > 0 ? headers.get(h.height)! : null;
      for (let vout = 0; vout < tx.outputsLength; vout++) {
        const o = tx.getOutput(vout);
        if (!o.script || hex.encode(o.script) !== script) continue;
        outputs.push({
          txid: h.tx_hash,
          vout,
          sats: o.amount ?? 0n,
          blockHeight: header ? h.height : null,
          blockHash: header ? headerHashOf(header) : null,
          blockTime: header ? new Date(headerTimeOf(header) * 1000) : null,
        });
      }
    }
    return outputs;
  }

  async addressUtxos(address: string): Promise<AddressUtxo[]> {
    const utxos = Unspent.parse(await this.request("blockchain.scripthash.listunspent", [scripthashOf(address, this.opts.network)]));
    return utxos.map((u) => ({ txid: u.tx_hash, vout: u.tx_pos, value: BigInt(u.value), blockHeight: u.height > 0 ? u.height : null }));
  }

  async feeEstimates(): Promise<FeeEstimates> {
    const answers = await this.batch(FEE_TARGETS.map((t) => ["blockchain.estimatefee", [t]] as const));
    const out: FeeEstimates = {};
    FEE_TARGETS.forEach((t, i) => {
      const btcPerKvB = answers[i];
      // -1: the server has no estimate for that target yet.
      if (typeof btcPerKvB === "number" && btcPerKvB > 0) out[String(t)] = Math.round(btcPerKvB * 1e5 * 1000) / 1000;
    });
    return out;
  }

  async broadcast(rawHex: string): Promise<BroadcastResult> {
    try {
      const txid = TxHash.parse(await this.request("blockchain.transaction.broadcast", [rawHex.trim()]));
      return { status: "accepted", txid };
    } catch (err) {
      if (err instanceof ElectrumServerError && ALREADY_KNOWN.test(err.message))
        return { status: "already_known", txid: txidOf(rawHex.trim()) ?? "", message: err.message };
      throw err;
    }
  }

  async txStatus(txid: string): Promise<TxStatus | null> {
    let raw = this.txCache.get(txid);
    if (!raw) {
      try {
        raw = RawTx.parse(await this.request("blockchain.transaction.get", [txid]));
      } catch (err) {
        if (err instanceof ElectrumServerError) return null; // the server does not know it
        throw err;
      }
      this.remember(txid, raw);
    }
    const tx = Transaction.fromRaw(hex.decode(raw), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
    const script = tx.outputsLength ? tx.getOutput(0).script : undefined;
    if (!script) return null;
    const sh = hex.encode(createHash("sha256").update(script).digest().reverse());
    const entry = History.parse(await this.request("blockchain.scripthash.get_history", [sh])).find((h) => h.tx_hash === txid);
    if (!entry) return null;
    return entry.height > 0 ? { confirmed: true, blockHeight: entry.height } : { confirmed: false, blockHeight: null };
  }

  // ---- push ------------------------------------------------------------------------------

  /** Starts watching addresses: `onActivity` hears of every change to their history (see `onActivity`). */
  async watch(addresses: string[]): Promise<void> {
    const fresh = addresses.map((address) => ({ address, sh: scripthashOf(address, this.opts.network) })).filter(({ sh }) => !this.watched.has(sh));
    for (const { address, sh } of fresh) this.watched.set(sh, { address, status: undefined });
    if (fresh.length === 0) return;
    const statuses = await this.batch(fresh.map(({ sh }) => ["blockchain.scripthash.subscribe", [sh]] as const));
    fresh.forEach(({ sh }, i) => {
      const w = this.watched.get(sh);
      if (w) w.status = (statuses[i] as string | null) ?? null;
    });
  }

  /** Stops watching (the server keeps the subscription until the connection ends; notifications are ignored). */
  unwatch(addresses: string[]): void {
    for (const a of addresses) this.watched.delete(scripthashOf(a, this.opts.network));
  }

  /** Called with an address whenever its history changes (a payment seen, confirmed, replaced, reorged). */
  onActivity(fn: (address: string) => void): () => void {
    this.activityListeners.add(fn);
    return () => this.activityListeners.delete(fn);
  }

  /** Called with every new tip the server pushes (also after a reorg). */
  onBlock(fn: (tip: { height: number; hash: string }) => void): () => void {
    this.blockListeners.add(fn);
    return () => this.blockListeners.delete(fn);
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
  }

  // ---- transport -------------------------------------------------------------------------

  private remember(txid: string, raw: string) {
    if (this.txCache.size >= TX_CACHE) this.txCache.delete(this.txCache.keys().next().value!);
    this.txCache.set(txid, raw);
  }

  private async subscribeHeaders(): Promise<{ height: number; hash: string }> {
    const t = Tip.parse(await this.request("blockchain.headers.subscribe", []));
    this.tip = { height: t.height, hash: headerHashOf(t.hex) };
    return this.tip;
  }

  private request(method: string, params: readonly unknown[]): Promise<unknown> {
    return this.batch([[method, params]]).then((r) => r[0]);
  }

  /** One write for all calls (a JSON-RPC batch when more than one); answers in call order; a refused call rejects all. */
  private async batch(calls: readonly (readonly [string, readonly unknown[]])[]): Promise<unknown[]> {
    if (calls.length === 0) return [];
    const socket = await this.connection();
    this.stats.requests += calls.length;
    const messages = calls.map(([method, params]) => ({ jsonrpc: "2.0", id: ++this.nextId, method, params }));
    const answers = messages.map(
      (m) =>
        new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.pending.delete(m.id);
            reject(new ChainError("timeout", `The Electrum server did not answer ${m.method} within ${this.timeoutMs} ms.`, { url: this.label }));
          }, this.timeoutMs);
          this.pending.set(m.id, { resolve, reject, timer });
        }),
    );
    socket.write(`${JSON.stringify(messages.length === 1 ? messages[0] : messages)}\n`);
    const all = Promise.all(answers);
    this.inFlight.add(all);
    void all.catch(() => {}).finally(() => this.inFlight.delete(all));
    return all;
  }

  private get label() {
    return `${this.target.tls ? "ssl" : "tcp"}://${this.target.host}:${this.target.port}`;
  }

  private connection(): Promise<Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.closed) return Promise.reject(new ChainError("unreachable", "The Electrum server connection is closed.", { url: this.label }));
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private open(): Promise<Socket> {
    return new Promise<Socket>((resolve, reject) => {
      const { host, port, tls } = this.target;
      const socket = tls ? tlsConnect({ host, port, servername: host }) : netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error("connect timeout")), this.timeoutMs);
      socket.setEncoding("utf8");
      socket.setKeepAlive(true, 30_000);
      let buffer = "";
      let up = false;
      socket.once(tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        up = true;
        this.socket = socket;
        this.retryMs = 1_000;
        resolve(socket);
        void this.afterConnect();
      });
      socket.on("data", (chunk: string) => {
        buffer += chunk;
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          const line = buffer.slice(0, i).trim();
          buffer = buffer.slice(i + 1);
          if (line) this.onLine(line);
        }
      });
      socket.on("error", () => {}); // "close" follows and handles it
      socket.on("close", () => {
        clearTimeout(timer);
        if (this.socket === socket) this.socket = null;
        this.tip = null;
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new ChainError("unreachable", "The connection to the Electrum server was lost.", { url: this.label }));
          this.pending.delete(id);
        }
        if (!up) reject(new ChainError("unreachable", `Could not connect to the Electrum server at ${this.label}.`, { url: this.label }));
        else this.scheduleReconnect();
      });
    });
  }

  /** On every (re)connection: the version handshake, then headers and every watched address again. */
  private async afterConnect(): Promise<void> {
    try {
      await this.request("server.version", ["Satchel", "1.4"]);
      if (this.blockListeners.size > 0 || this.watched.size > 0) await this.subscribeHeaders();
      const entries = [...this.watched.entries()];
      if (entries.length === 0) return;
      const statuses = await this.batch(entries.map(([sh]) => ["blockchain.scripthash.subscribe", [sh]] as const));
      entries.forEach(([, w], i) => {
        const now = (statuses[i] as string | null) ?? null;
        const before = w.status;
        w.status = now;
        // Changed while we were away (undefined: never answered before): tell the listeners.
        if (before !== undefined && before !== now) this.emitActivity(w.address);
      });
    } catch {
      // The connection dropped again: its close handler schedules the next attempt.
    }
  }

  private scheduleReconnect() {
    if (this.closed || (this.watched.size === 0 && this.blockListeners.size === 0) || this.reconnectTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connection().catch(() => this.scheduleReconnect());
    }, wait);
    this.reconnectTimer.unref();
  }

  private onLine(line: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not JSON: nothing to match it with
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      if (!m || typeof m !== "object") continue;
      const { id, result, error, method, params } = m as {
        id?: unknown;
        result?: unknown;
        error?: { code?: number; message?: string } | null;
        method?: unknown;
        params?: unknown;
      };
      if (typeof id === "number") {
        const p = this.pending.get(id);
        if (!p) continue;
        this.pending.delete(id);
        clearTimeout(p.timer);
        if (error) p.reject(new ElectrumServerError(error.code ?? 0, error.message ?? "error"));
        else p.resolve(result ?? null);
      } else if (method === "blockchain.headers.subscribe" && Array.isArray(params)) {
        const t = Tip.safeParse(params[0]);
        if (!t.success) continue;
        this.tip = { height: t.data.height, hash: headerHashOf(t.data.hex) };
        for (const fn of this.blockListeners) fn(this.tip);
      } else if (method === "blockchain.scripthash.subscribe" && Array.isArray(params)) {
        const w = this.watched.get(String(params[0]));
        if (!w) continue;
        w.status = (params[1] as string | null) ?? null;
        this.emitActivity(w.address);
      }
    }
  }

  private emitActivity(address: string) {
    for (const fn of this.activityListeners) fn(address);
  }
}
