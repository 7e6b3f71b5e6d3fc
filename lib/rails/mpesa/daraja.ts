// Daraja (Safaricom's M-Pesa API) client for M-Pesa Express, following the published shapes:
//   GET  /oauth/v1/generate?grant_type=client_credentials   Basic base64(key:secret)
//        → {"access_token": "...", "expires_in": "3599"}      (expires_in is a string)
//   POST /mpesa/stkpush/v1/processrequest                     Bearer token
//        {BusinessShortCode, Password, Timestamp, TransactionType, Amount, PartyA, PartyB,
//         PhoneNumber, CallBackURL, AccountReference, TransactionDesc}
//        → {MerchantRequestID, CheckoutRequestID, ResponseCode: "0", ResponseDescription, CustomerMessage}
//   POST /mpesa/stkpushquery/v1/query                         Bearer token
//        {BusinessShortCode, Password, Timestamp, CheckoutRequestID}
//        → {ResponseCode, ResponseDescription, MerchantRequestID, CheckoutRequestID, ResultCode, ResultDesc}
//        or, while the buyer has not answered yet, HTTP 500
//        {"requestId": "...", "errorCode": "500.001.1001", "errorMessage": "The transaction is being processed"}
// Errors come as {"requestId", "errorCode", "errorMessage"} with a 4xx/5xx status.
//
// Password = base64(shortcode + passkey + timestamp), Timestamp = YYYYMMDDHHmmss in
// Africa/Nairobi time. The OAuth token comes from a TokenStore shared by every instance
// (lib/rails/mpesa/token.ts keeps it in a database row). No database or Next.js imports here.

import { metrics } from "@/lib/metrics";

export type TransactionType = "CustomerPayBillOnline" | "CustomerBuyGoodsOnline";

export type DarajaErrorKind =
  /** Credentials refused (OAuth 400/401): the operator must fix MPESA_CONSUMER_KEY/SECRET. */
  | "auth"
  /** Daraja refused the request (4xx): bad phone, bad shortcode, bad amount… */
  | "rejected"
  /** Too many requests, and still so after backing off. */
  | "rate_limited"
  /** Network failure or 5xx, and still so after backing off. */
  | "unavailable"
  /** An answer that is not what Daraja publishes. */
  | "bad_response";

export class DarajaError extends Error {
  readonly kind: DarajaErrorKind;
  readonly status: number | null;
  readonly errorCode: string | null;
  constructor(kind: DarajaErrorKind, message: string, opts: { status?: number | null; errorCode?: string | null; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "DarajaError";
    this.kind = kind;
    this.status = opts.status ?? null;
    this.errorCode = opts.errorCode ?? null;
  }
}

/** YYYYMMDDHHmmss in Africa/Nairobi time (UTC+3 all year; Intl keeps us honest). */
export function darajaTimestamp(at: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Africa/Nairobi",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}${get("month")}${get("day")}${get("hour")}${get("minute")}${get("second")}`;
}

/** base64(shortcode + passkey + timestamp), the STK push and query Password. */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, "utf8").toString("base64");
}

/** AccountReference: at most 12 characters, letters and digits (what the buyer sees as "account"). */
export function accountReference(text: string): string {
  const clean = text
    .replace(/[^A-Za-z0-9]/g, "")
    .toUpperCase()
    .slice(0, 12);
  return clean || "SATCHEL";
}

/** TransactionDesc: 1 to 13 characters. */
export function transactionDesc(text: string): string {
  const clean = text
    .replace(/[^A-Za-z0-9 ]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 13)
    .trim();
  return clean || "Payment";
}

export interface OAuthToken {
  accessToken: string;
  expiresAt: Date;
}

/** Where the shared token lives. `get` returns a token valid for at least `minValidMs`, fetching one through `refresh` at most once across callers. */
export interface TokenStore {
  get(refresh: () => Promise<OAuthToken>, minValidMs: number): Promise<string>;
  /** Forgets a token Daraja refused (401), so the next `get` fetches a new one. */
  invalidate(accessToken: string): Promise<void>;
}

/** A per-process store (tests, scripts); the app uses the database-backed one. */
export function memoryTokenStore(now: () => number = Date.now): TokenStore {
  let current: OAuthToken | null = null;
  let inflight: Promise<OAuthToken> | null = null;
  return {
    async get(refresh, minValidMs) {
      if (current && current.expiresAt.getTime() - now() > minValidMs) return current.accessToken;
      inflight ??= refresh().finally(() => {
        inflight = null;
      });
      current = await inflight;
      return current.accessToken;
    },
    async invalidate(token) {
      if (current?.accessToken === token) current = null;
    },
  };
}

export interface DarajaOptions {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  tokens: TokenStore;
  fetch?: typeof fetch;
  /** Attempts for retryable failures (default 4: one try and three retries). */
  attempts?: number;
  /** First backoff delay; doubles each retry, with jitter (default 500 ms). */
  backoffMs?: number;
  timeoutMs?: number;
  now?: () => Date;
}

export interface StkPushInput {
  transactionType: TransactionType;
  /** Whole shillings. */
  amount: number;
  /** 2547XXXXXXXX. */
  phone: string;
  partyB: string;
  callbackUrl: string;
  accountReference: string;
  transactionDesc: string;
}

export interface StkPushResult {
  merchantRequestId: string;
  checkoutRequestId: string;
  responseCode: string;
  customerMessage: string;
}

export type StkQueryResult =
  | { state: "pending"; message: string }
  | { state: "final"; resultCode: number; resultDesc: string; merchantRequestId: string | null };

/** Refresh the token when less than this is left of its life. */
export const TOKEN_REFRESH_MARGIN_MS = 120_000;
/** Daraja's "still being processed" answer to an STK query. */
export const QUERY_PENDING_CODE = "500.001.1001";

export class DarajaClient {
  private readonly o: Required<Omit<DarajaOptions, "fetch" | "now">> & { fetch: typeof fetch; now: () => Date };
  /** OAuth calls this client made (tests and the bench count them). */
  readonly stats = { oauth: 0, requests: 0 };

  constructor(options: DarajaOptions) {
    this.o = {
      attempts: 4,
      backoffMs: 500,
      timeoutMs: 15_000,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      fetch: options.fetch ?? ((...args) => fetch(...args)),
      now: options.now ?? (() => new Date()),
    };
  }

  /** A valid access token, from the shared store (fetched once when it is stale). */
  accessToken(): Promise<string> {
    return this.o.tokens.get(() => this.fetchToken(), TOKEN_REFRESH_MARGIN_MS);
  }

  private async fetchToken(): Promise<OAuthToken> {
    try {
      const token = await this.fetchTokenOnce();
      metrics().tokenRefreshes.inc({ provider: "mpesa", result: "ok" });
      return token;
    } catch (err) {
      metrics().tokenRefreshes.inc({ provider: "mpesa", result: "failed" });
      throw err;
    }
  }

  private async fetchTokenOnce(): Promise<OAuthToken> {
    this.stats.oauth++;
    const basic = Buffer.from(`${this.o.consumerKey}:${this.o.consumerSecret}`, "utf8").toString("base64");
    const res = await this.send("GET", "/oauth/v1/generate?grant_type=client_credentials", { authorization: `Basic ${basic}` }, undefined, true);
    if (res.status === 400 || res.status === 401 || res.status === 403)
      throw new DarajaError(
        "auth",
        `Daraja refused the consumer key/secret (HTTP ${res.status}${res.error ? `: ${res.error.errorMessage}` : ""}); check MPESA_CONSUMER_KEY and MPESA_CONSUMER_SECRET`,
        {
          status: res.status,
          errorCode: res.error?.errorCode,
        },
      );
    if (res.status !== 200) throw rejected(res);
    const body = res.json as { access_token?: unknown; expires_in?: unknown } | null;
    const token = typeof body?.access_token === "string" ? body.access_token : "";
    const seconds = Number(body?.expires_in);
    if (!token || !Number.isFinite(seconds) || seconds <= 0)
      throw new DarajaError("bad_response", "Daraja's OAuth answer has no access_token/expires_in", { status: res.status });
    return { accessToken: token, expiresAt: new Date(this.o.now().getTime() + seconds * 1000) };
  }

  /** Sends the M-Pesa Express prompt to the buyer's phone. */
  async stkPush(input: StkPushInput): Promise<StkPushResult> {
    if (!Number.isInteger(input.amount) || input.amount < 1)
      throw new DarajaError("rejected", `M-Pesa charges whole shillings of at least 1, got ${input.amount}`);
    const timestamp = darajaTimestamp(this.o.now());
    const body = {
      BusinessShortCode: this.o.shortcode,
      Password: stkPassword(this.o.shortcode, this.o.passkey, timestamp),
      Timestamp: timestamp,
      TransactionType: input.transactionType,
      Amount: input.amount,
      PartyA: input.phone,
      PartyB: input.partyB,
      PhoneNumber: input.phone,
      CallBackURL: input.callbackUrl,
      AccountReference: accountReference(input.accountReference),
      TransactionDesc: transactionDesc(input.transactionDesc),
    };
    // A push answered 500 may still have reached the phone: retrying it could prompt the
    // buyer twice, so only throttling and gateway errors (never processed) are retried.
    const res = await this.authorized(
      "/mpesa/stkpush/v1/processrequest",
      body,
      (status) => status === 429 || status === 502 || status === 503 || status === 504,
    );
    if (res.status !== 200) throw rejected(res);
    const r = res.json as Record<string, unknown> | null;
    const checkoutRequestId = typeof r?.CheckoutRequestID === "string" ? r.CheckoutRequestID : "";
    const merchantRequestId = typeof r?.MerchantRequestID === "string" ? r.MerchantRequestID : "";
    const responseCode = r?.ResponseCode === undefined ? "" : String(r.ResponseCode);
    if (responseCode !== "0")
      throw new DarajaError("rejected", `Daraja did not accept the prompt: ${String(r?.ResponseDescription ?? r?.errorMessage ?? "no reason given")}`, {
        status: res.status,
        errorCode: responseCode || null,
      });
    if (!checkoutRequestId || !merchantRequestId)
      throw new DarajaError("bad_response", "Daraja accepted the prompt without a CheckoutRequestID/MerchantRequestID", { status: res.status });
    return { merchantRequestId, checkoutRequestId, responseCode, customerMessage: String(r?.CustomerMessage ?? "") };
  }

  /** Asks what became of a prompt: still pending, or its final ResultCode. */
  async stkQuery(checkoutRequestId: string): Promise<StkQueryResult> {
    const timestamp = darajaTimestamp(this.o.now());
    const body = {
      BusinessShortCode: this.o.shortcode,
      Password: stkPassword(this.o.shortcode, this.o.passkey, timestamp),
      Timestamp: timestamp,
      CheckoutRequestID: checkoutRequestId,
    };
    // Queries change nothing, so every 429/5xx is retried — except Daraja's "still being
    // processed" 500, which is an answer, not a failure.
    const res = await this.authorized(
      "/mpesa/stkpushquery/v1/query",
      body,
      (status, error) => (status === 429 || status >= 500) && error?.errorCode !== QUERY_PENDING_CODE,
    );
    if (res.error?.errorCode === QUERY_PENDING_CODE) return { state: "pending", message: res.error.errorMessage };
    if (res.status !== 200) throw rejected(res);
    const r = res.json as Record<string, unknown> | null;
    const code = r?.ResultCode;
    const resultCode = typeof code === "number" ? code : typeof code === "string" && /^\d+$/.test(code) ? Number(code) : null;
    if (resultCode === null) throw new DarajaError("bad_response", "Daraja's STK query answer has no ResultCode", { status: res.status });
    return {
      state: "final",
      resultCode,
      resultDesc: String(r?.ResultDesc ?? ""),
      merchantRequestId: typeof r?.MerchantRequestID === "string" ? r.MerchantRequestID : null,
    };
  }

  /** POST with the bearer token; a refused token (401) is dropped and fetched again once. */
  private async authorized(path: string, body: unknown, retryable: (status: number, error: DarajaErrorBody | null) => boolean): Promise<Response_> {
    for (let round = 1; ; round++) {
      const token = await this.accessToken();
      const res = await this.send(
        "POST",
        path,
        { authorization: `Bearer ${token}`, "content-type": "application/json" },
        JSON.stringify(body),
        false,
        retryable,
      );
      if (res.status === 401 && round === 1) {
        await this.o.tokens.invalidate(token);
        continue;
      }
      if (res.status === 401)
        throw new DarajaError("auth", `Daraja refused a fresh access token for ${path}`, { status: 401, errorCode: res.error?.errorCode });
      return res;
    }
  }

  private async send(
    method: "GET" | "POST",
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    idempotent: boolean,
    retryable: (status: number, error: DarajaErrorBody | null) => boolean = (s) => s === 429 || s >= 500,
  ): Promise<Response_> {
    let lastError: DarajaError | null = null;
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      if (attempt > 1) await sleep(backoff(this.o.backoffMs, attempt));
      let res: Response;
      try {
        this.stats.requests++;
        res = await this.o.fetch(`${this.o.baseUrl}${path}`, {
          method,
          headers: { accept: "application/json", ...headers },
          body,
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
      } catch (err) {
        // A POST that timed out may have arrived; only idempotent calls and queries retry it.
        lastError = new DarajaError("unavailable", `Daraja did not answer ${path}: ${(err as Error).message}`, { cause: err });
        metrics().providerErrors.inc({ provider: "mpesa" });
        if (idempotent || path.includes("stkpushquery")) continue;
        throw lastError;
      }
      const text = await res.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      const error = errorBody(json);
      const out = { status: res.status, json, error };
      if (res.status >= 400) metrics().providerErrors.inc({ provider: "mpesa" });
      if (res.status < 400 || !retryable(res.status, error)) return out;
      lastError = new DarajaError(
        res.status === 429 ? "rate_limited" : "unavailable",
        `Daraja answered ${path} with HTTP ${res.status}${error ? ` ${error.errorCode}: ${error.errorMessage}` : ""}`,
        {
          status: res.status,
          errorCode: error?.errorCode,
        },
      );
      const retryAfter = Number(res.headers.get("retry-after"));
      if (res.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0 && retryAfter <= 30) await sleep(retryAfter * 1000);
    }
    throw lastError ?? new DarajaError("unavailable", `Daraja did not answer ${path}`);
  }
}

interface DarajaErrorBody {
  requestId: string;
  errorCode: string;
  errorMessage: string;
}

interface Response_ {
  status: number;
  json: unknown;
  error: DarajaErrorBody | null;
}

function errorBody(json: unknown): DarajaErrorBody | null {
  if (!json || typeof json !== "object") return null;
  const j = json as Record<string, unknown>;
  if (j.errorCode === undefined && j.errorMessage === undefined) return null;
  return { requestId: String(j.requestId ?? ""), errorCode: String(j.errorCode ?? ""), errorMessage: String(j.errorMessage ?? "") };
}

function rejected(res: Response_): DarajaError {
  const kind: DarajaErrorKind = res.status === 429 ? "rate_limited" : res.status >= 500 ? "unavailable" : "rejected";
  const what = res.error ? `${res.error.errorCode}: ${res.error.errorMessage}` : `HTTP ${res.status}`;
  return new DarajaError(kind, `Daraja refused the request (${what})`, { status: res.status, errorCode: res.error?.errorCode });
}

function backoff(base: number, attempt: number): number {
  const d = base * 2 ** (attempt - 2);
  return Math.round(d / 2 + Math.random() * (d / 2));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
