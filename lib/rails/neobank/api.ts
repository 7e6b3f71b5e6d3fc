import type { KeyObject } from "node:crypto";
import type { z } from "zod";
import {
  gatewayError,
  type PaymentCreated,
  type PaymentRequest,
  type PaymentStatusReport,
  paymentCreated,
  paymentStatus,
  type Registration,
  type RegistrationRequest,
  registrationResponse,
} from "./protocol";
import { API_KEY_HEADER, REQUEST_SIGNATURE_HEADER, signRequestBody } from "./signing";

// HTTP client for the NEO Bank / Bill Bitts gateway (wire format: ./protocol.ts). Every
// request carries the API key and an RSA-SHA256 signature of its body; POSTs carry an
// Idempotency-Key, which is what makes retrying them safe. Rate limits (429, honouring
// Retry-After) and server errors (5xx), timeouts and connection failures are retried with
// exponential backoff; anything else fails at once with a typed error.

export type NeobankErrorKind =
  /** The gateway refused our API key or signature (401/403): a configuration problem. */
  | "unauthorized"
  /** 404: no such registration or payment at the gateway. */
  | "not_found"
  /** Another 4xx: the gateway refused the request as sent. */
  | "rejected"
  /** 429/5xx after every retry, a timeout, or no connection. */
  | "unavailable"
  /** A 2xx whose body is not what the API promises. */
  | "bad_response";

export class NeobankError extends Error {
  readonly kind: NeobankErrorKind;
  readonly status: number | null;
  /** The gateway's error code, when it sent one (e.g. "cprn_not_found"). */
  readonly code: string | null;

  constructor(kind: NeobankErrorKind, message: string, opts: { status?: number | null; code?: string | null; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = "NeobankError";
    this.kind = kind;
    this.status = opts.status ?? null;
    this.code = opts.code ?? null;
  }
}

export interface NeobankClientOptions {
  baseUrl: string;
  apiKey: string;
  privateKey: KeyObject;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt on 429/5xx/network errors (default 3). */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 300 ms). */
  backoffMs?: number;
  /** Longest wait the client accepts from Retry-After or backoff (default 10 s). */
  maxDelayMs?: number;
  fetch?: typeof fetch;
}

export interface NeobankClientStats {
  requests: number;
  retries: number;
}

export class NeobankClient {
  readonly stats: NeobankClientStats = { requests: 0, retries: 0 };
  private readonly base: string;

  constructor(private readonly opts: NeobankClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, "");
  }

  /** Creates the buyer's payment profile (CPRN). Idempotent per key. */
  createRegistration(body: RegistrationRequest, idempotencyKey: string): Promise<Registration> {
    return this.request("POST", "/v1/registrations", registrationResponse, body, idempotencyKey);
  }

  getRegistration(cprn: string): Promise<Registration> {
    return this.request("GET", `/v1/registrations/${encodeURIComponent(cprn)}`, registrationResponse);
  }

  /** Starts a payment; returns the gateway's tx id and the page where the buyer pays. */
  initiatePayment(body: PaymentRequest, idempotencyKey: string): Promise<PaymentCreated> {
    return this.request("POST", "/v1/payments", paymentCreated, body, idempotencyKey);
  }

  getPayment(txId: string): Promise<PaymentStatusReport> {
    return this.request("GET", `/v1/payments/${encodeURIComponent(txId)}`, paymentStatus);
  }

  private async request<S extends z.ZodType>(method: "GET" | "POST", path: string, schema: S, body?: unknown, idempotencyKey?: string): Promise<z.output<S>> {
    const raw = body === undefined ? "" : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: "application/json",
      [API_KEY_HEADER]: this.opts.apiKey,
      [REQUEST_SIGNATURE_HEADER]: signRequestBody(raw, this.opts.privateKey),
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    const retries = this.opts.retries ?? 3;
    const doFetch = this.opts.fetch ?? fetch;
    const what = `${method} ${path}`;
    for (let attempt = 0; ; attempt++) {
      this.stats.requests++;
      let res: Response;
      try {
        res = await doFetch(`${this.base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : raw,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
          redirect: "error",
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
        if (attempt < retries) {
          await this.wait(attempt, null);
          continue;
        }
        throw new NeobankError("unavailable", `NEO Bank gateway ${timedOut ? "timed out" : "unreachable"} (${what}): ${(err as Error).message}`, {
          cause: err,
        });
      }
      const text = await res.text().catch(() => "");
      if (res.ok) {
        let data: unknown;
        try {
          data = JSON.parse(text);
        } catch {
          throw new NeobankError("bad_response", `NEO Bank gateway sent a body that is not JSON (${what})`, { status: res.status });
        }
        const parsed = schema.safeParse(data);
        if (!parsed.success)
          throw new NeobankError("bad_response", `NEO Bank gateway sent an unexpected body (${what}): ${parsed.error.issues[0]?.message ?? "invalid"}`, {
            status: res.status,
          });
        return parsed.data;
      }
      const retryable = res.status === 429 || res.status >= 500;
      if (retryable && attempt < retries) {
        await this.wait(attempt, res.headers.get("retry-after"));
        continue;
      }
      const err = gatewayError.safeParse(safeJson(text));
      const code = err.success ? err.data.error.code : null;
      const detail = err.success ? err.data.error.message : text.slice(0, 200) || res.statusText;
      const kind: NeobankErrorKind = retryable
        ? "unavailable"
        : res.status === 401 || res.status === 403
          ? "unauthorized"
          : res.status === 404
            ? "not_found"
            : "rejected";
      const hint = kind === "unauthorized" ? " — check NEOBANK_API_KEY and that the public key of NEOBANK_PRIVATE_KEY is uploaded to the gateway" : "";
      throw new NeobankError(kind, `NEO Bank gateway answered ${res.status} to ${what}: ${detail}${hint}`, { status: res.status, code });
    }
  }

  private async wait(attempt: number, retryAfter: string | null): Promise<void> {
    this.stats.retries++;
    const max = this.opts.maxDelayMs ?? 10_000;
    let ms: number;
    const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
    if (seconds !== null) ms = seconds * 1000;
    else {
      const base = (this.opts.backoffMs ?? 300) * 2 ** attempt;
      ms = base / 2 + Math.random() * (base / 2);
    }
    await new Promise((r) => setTimeout(r, Math.min(ms, max)));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
