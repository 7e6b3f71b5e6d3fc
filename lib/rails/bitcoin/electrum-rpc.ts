import { z } from "zod";

// JSON-RPC 2.0 client for an Electrum daemon (`electrum daemon` with rpcuser/rpcpassword/rpcport
// set), over HTTP with basic auth. Errors say which setting to look at; none of them repeats
// the password.

export type ElectrumErrorCode = "config" | "auth" | "unreachable" | "timeout" | "http" | "rpc" | "malformed";

export class ElectrumError extends Error {
  readonly code: ElectrumErrorCode;
  /** JSON-RPC error code when code === "rpc". */
  readonly rpcCode?: number;
  constructor(code: ElectrumErrorCode, message: string, options?: { cause?: unknown; rpcCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ElectrumError";
    this.code = code;
    this.rpcCode = options?.rpcCode;
  }
}

export interface ElectrumSettings {
  ELECTRUM_RPC_URL: string;
  ELECTRUM_RPC_USER: string;
  ELECTRUM_RPC_PASS: string;
  /** Wallet file path, needed only when the daemon has more than one wallet loaded. */
  ELECTRUM_WALLET?: string;
  /** The wallet file's password, for load_wallet (an encrypted wallet). */
  ELECTRUM_WALLET_PASSWORD?: string;
}

export interface ElectrumOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ElectrumHistoryItem {
  txid: string;
  /** Block height; 0 or negative while unconfirmed (Electrum: 0 = mempool, -1 = unconfirmed parent). */
  height: number;
  /** Fee in sats when Electrum reports one (mempool transactions). */
  fee?: bigint;
}

export interface ElectrumBalance {
  confirmed: bigint;
  unconfirmed: bigint;
}

export interface ElectrumClient {
  /** Raw call, for commands without a typed wrapper. */
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** A fresh receive address of the loaded wallet (never handed out before). */
  createNewAddress(): Promise<string>;
  getAddressHistory(address: string): Promise<ElectrumHistoryItem[]>;
  getAddressBalance(address: string): Promise<ElectrumBalance>;
  /** Broadcasts a raw transaction (hex); resolves to its txid. */
  broadcast(txHex: string): Promise<string>;
  /** Asks Electrum to POST to `url` whenever `address` changes status. */
  notify(address: string, url: string): Promise<void>;
  /** load_wallet: opens ELECTRUM_WALLET (or the daemon's default wallet) with its password; a loaded one stays loaded. */
  loadWallet(): Promise<void>;
  /** getbalance of the wallet: confirmed, unconfirmed and unmatured, in sats. */
  getWalletBalance(): Promise<ElectrumWalletBalance>;
}

export interface ElectrumWalletBalance {
  confirmed: bigint;
  unconfirmed: bigint;
  unmatured: bigint;
}

export const DEFAULT_ELECTRUM_TIMEOUT_MS = 10_000;

const RpcAnswer = z.union([
  z.object({ jsonrpc: z.literal("2.0").optional(), id: z.unknown(), result: z.unknown() }),
  z.object({
    jsonrpc: z.literal("2.0").optional(),
    id: z.unknown(),
    error: z.object({ code: z.number().optional(), message: z.string() }).loose(),
  }),
]);
const History = z.array(
  z.object({ tx_hash: z.string().regex(/^[0-9a-f]{64}$/), height: z.number().int(), fee: z.number().int().nonnegative().optional() }).loose(),
);
const Balance = z.object({ confirmed: z.string(), unconfirmed: z.string().optional() }).loose();
const WalletBalance = z.object({ confirmed: z.string(), unconfirmed: z.string().optional(), unmatured: z.string().optional() }).loose();

export function electrumClient(settings: ElectrumSettings, opts: ElectrumOptions = {}): ElectrumClient {
  const { ELECTRUM_RPC_URL: rawUrl, ELECTRUM_RPC_USER: user, ELECTRUM_RPC_PASS: pass } = settings;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ElectrumError("config", "ELECTRUM_RPC_URL must be an http(s) URL such as http://127.0.0.1:7777");
  }
  if (!["http:", "https:"].includes(url.protocol)) throw new ElectrumError("config", "ELECTRUM_RPC_URL must be an http(s) URL such as http://127.0.0.1:7777");
  if (!user || !pass) throw new ElectrumError("config", "ELECTRUM_RPC_USER and ELECTRUM_RPC_PASS must both be set (electrum setconfig rpcuser / rpcpassword)");
  // Credentials go in the header only; the URL shown in messages has none.
  url.username = "";
  url.password = "";
  const shown = url.origin;
  const authorization = `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_ELECTRUM_TIMEOUT_MS;
  const doFetch = opts.fetch ?? fetch;
  let nextId = 1;

  async function call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = nextId++;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const name = (e as Error)?.name;
      if (name === "TimeoutError" || name === "AbortError")
        throw new ElectrumError("timeout", `Electrum at ELECTRUM_RPC_URL (${shown}) did not answer ${method} within ${timeoutMs} ms`, { cause: e });
      throw new ElectrumError("unreachable", `cannot reach Electrum at ELECTRUM_RPC_URL (${shown}): ${causeText(e)}; is the daemon running?`, { cause: e });
    }
    const text = await res.text().catch(() => "");
    if (res.status === 401 || res.status === 403)
      throw new ElectrumError(
        "auth",
        `Electrum rejected ELECTRUM_RPC_USER/ELECTRUM_RPC_PASS (HTTP ${res.status}): they must match the daemon's rpcuser/rpcpassword`,
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // Electrum answers some bad requests (an unknown method, for one) with plain text and a 500.
      const snippet = text.trim().slice(0, 200);
      throw new ElectrumError(res.ok ? "malformed" : "http", `Electrum answered ${method} with HTTP ${res.status}${snippet ? `: ${snippet}` : ""}`);
    }
    const parsed = RpcAnswer.safeParse(body);
    if (!parsed.success) throw new ElectrumError("malformed", `Electrum's answer to ${method} is not JSON-RPC`);
    if ("error" in parsed.data) {
      const { message, code } = parsed.data.error;
      // Without a server connection (offline daemon) chain commands fail with this Python error.
      const hint = /NoneType/.test(message) ? " (the daemon has no server connection: is it running --offline?)" : "";
      throw new ElectrumError("rpc", `Electrum ${method} failed: ${message}${hint}`, { rpcCode: code });
    }
    if (!res.ok) throw new ElectrumError("http", `Electrum answered ${method} with HTTP ${res.status}`);
    return parsed.data.result;
  }

  const walletParam = settings.ELECTRUM_WALLET ? { wallet: settings.ELECTRUM_WALLET } : {};
  const expect = <S extends z.ZodType>(method: string, schema: S, value: unknown): z.output<S> => {
    const r = schema.safeParse(value);
    if (!r.success) throw new ElectrumError("malformed", `unexpected result from Electrum ${method}: ${JSON.stringify(value)?.slice(0, 200)}`);
    return r.data;
  };

  return {
    call,
    async createNewAddress() {
      return expect("createnewaddress", z.string().min(14), await call("createnewaddress", walletParam));
    },
    async getAddressHistory(address) {
      const items = expect("getaddresshistory", History, await call("getaddresshistory", { address }));
      return items.map((i) => ({ txid: i.tx_hash, height: i.height, ...(i.fee !== undefined ? { fee: BigInt(i.fee) } : {}) }));
    },
    async getAddressBalance(address) {
      const b = expect("getaddressbalance", Balance, await call("getaddressbalance", { address }));
      return { confirmed: electrumBtcToSats(b.confirmed), unconfirmed: electrumBtcToSats(b.unconfirmed ?? "0") };
    },
    async broadcast(txHex) {
      if (!/^([0-9a-fA-F]{2})+$/.test(txHex)) throw new ElectrumError("config", "broadcast needs a raw transaction in hex");
      return expect("broadcast", z.string().regex(/^[0-9a-f]{64}$/), await call("broadcast", { tx: txHex }));
    },
    async notify(address, notifyUrl) {
      await call("notify", { address, URL: notifyUrl });
    },
    async loadWallet() {
      const params = {
        ...(settings.ELECTRUM_WALLET ? { wallet_path: settings.ELECTRUM_WALLET } : {}),
        ...(settings.ELECTRUM_WALLET_PASSWORD ? { password: settings.ELECTRUM_WALLET_PASSWORD } : {}),
      };
      try {
        const ok = await call("load_wallet", params);
        if (ok === false)
          throw new ElectrumError(
            "rpc",
            `Electrum could not load the wallet${settings.ELECTRUM_WALLET ? ` at ELECTRUM_WALLET (${settings.ELECTRUM_WALLET})` : ""}`,
          );
      } catch (err) {
        // Electrum's own words for a wrong or missing password, said in the setting's name.
        if (err instanceof ElectrumError && err.code === "rpc" && /password|decrypt|invalid.*key/i.test(err.message))
          throw new ElectrumError("auth", "Electrum could not open the wallet: check ELECTRUM_WALLET_PASSWORD", { cause: err });
        throw err;
      }
    },
    async getWalletBalance() {
      const b = expect("getbalance", WalletBalance, await call("getbalance", walletParam));
      return {
        confirmed: electrumBtcToSats(b.confirmed),
        unconfirmed: electrumBtcToSats(b.unconfirmed ?? "0"),
        unmatured: electrumBtcToSats(b.unmatured ?? "0"),
      };
    },
  };
}

/**
 * Electrum reports balances as str(Decimal(sats) / COIN): "0.0015", "0", but also "1E-8" and
 * "-1E-7" (Python switches to exponent notation below 1e-6), and negative unconfirmed amounts
 * while a spend sits in the mempool. Converted to sats exactly.
 */
export function electrumBtcToSats(value: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(typeof value === "string" ? value : "");
  if (!m) throw new ElectrumError("malformed", `Electrum amount is not a BTC decimal: ${JSON.stringify(value)}`);
  const frac = m[3] ?? "";
  if (Math.abs(Number(m[4] ?? "0")) > 30 || frac.length > 30) throw new ElectrumError("malformed", `Electrum amount is out of range: ${value}`);
  const digits = BigInt(`${m[2]}${frac}`);
  const shift = 8 - frac.length + Number(m[4] ?? "0"); // value = digits × 10^(shift − 8)
  let sats: bigint;
  if (shift >= 0) sats = digits * 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (digits % div !== 0n) throw new ElectrumError("malformed", `Electrum amount has a fraction of a sat: ${value}`);
    sats = digits / div;
  }
  return m[1] ? -sats : sats;
}

function causeText(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
}
