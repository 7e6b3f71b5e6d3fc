import type { z } from "zod";
import { normalizeDecimal } from "@/lib/money/amounts";
import { RateError } from "@/lib/rates/types";

// The one way providers fetch: a timeout on every request, a non-2xx or a body that does not
// match the provider's published shape becomes a RateError, never NaN or undefined.

export const DEFAULT_TIMEOUT_MS = 5_000;

export interface HttpOptions {
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export async function fetchJson<S extends z.ZodType>(source: string, url: string, schema: S, opts: HttpOptions = {}): Promise<z.output<S>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new RateError(source, "timeout", `no answer within ${timeoutMs} ms from ${origin(url)}`, { cause: e });
    throw new RateError(source, "unreachable", `cannot reach ${origin(url)} (${causeText(e)})`, { cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    const name = (e as Error)?.name;
    throw new RateError(source, name === "TimeoutError" ? "timeout" : "unreachable", `reading the answer of ${origin(url)} failed (${causeText(e)})`, {
      cause: e,
    });
  }
  if (!res.ok) throw new RateError(source, "http", `${origin(url)} answered HTTP ${res.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RateError(source, "malformed", `${origin(url)} answered something that is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RateError(
      source,
      "malformed",
      `unexpected answer shape from ${origin(url)} (${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid"})`,
    );
  }
  return parsed.data;
}

/** A provider's price (string or number) as a normalized positive decimal string, or a RateError. */
export function priceToDecimal(source: string, value: unknown): string {
  let text: string | undefined;
  if (typeof value === "string") text = value.trim();
  else if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    // JSON numbers: String() is exact for the decimal the provider wrote, unless it chose
    // exponent notation (tiny or huge values), which is no plausible BTC price anyway.
    text = String(value);
  }
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text))
    throw new RateError(source, "malformed", `price is not a positive decimal number: ${JSON.stringify(value)}`);
  const normalized = normalizeDecimal(text);
  if (/^0(\.0*)?$/.test(normalized)) throw new RateError(source, "malformed", `price is zero: ${JSON.stringify(value)}`);
  return normalized;
}

/** Validates an ISO currency code for use in a provider URL. */
export function fiatCode(source: string, fiat: string): string {
  if (typeof fiat !== "string" || !/^[A-Za-z]{3}$/.test(fiat)) throw new RateError(source, "unsupported", `not a currency code: ${JSON.stringify(fiat)}`);
  return fiat.toUpperCase();
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

// Only scheme://host:port in messages: a RATE_API_URL may carry an API key in its path or query.
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the rate API";
  }
}

function causeText(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
}
