import { spreadMultiplier } from "@/lib/money/amounts";
import { cachedRateSource, DEFAULT_RATE_CACHE_MS } from "@/lib/rates/cache";
import { coinbaseRateSource } from "@/lib/rates/coinbase";
import { coingeckoRateSource } from "@/lib/rates/coingecko";
import { fixedRateSource } from "@/lib/rates/fixed";
import { DEFAULT_TIMEOUT_MS } from "@/lib/rates/http";
import { krakenRateSource } from "@/lib/rates/kraken";
import { RateError, type RateSource } from "@/lib/rates/types";

export { type FxRate, type FxSource, fixedFxSource, parseFxFixedRates } from "@/lib/rates/fx";
export { type BtcRate, RateError, type RateErrorCode, type RateSource } from "@/lib/rates/types";

export const RATE_SOURCES = ["coinbase", "kraken", "coingecko", "fixed"] as const;
export type RateSourceName = (typeof RATE_SOURCES)[number];

export interface RateSettings {
  /** coinbase | kraken | coingecko | fixed. Unset: fixed when BTC_FIXED_RATE is set, else coinbase. */
  RATE_SOURCE?: string;
  /** Overrides the provider's base URL (self-hosted proxy, tests). */
  RATE_API_URL?: string;
  BTC_FIXED_RATE?: string;
  /** Percent the buyer pays above the market conversion ("1.5"); see spreadMultiplier in amounts.ts. */
  RATE_SPREAD_PERCENT?: string;
}

export interface RateOptions {
  timeoutMs?: number;
  cacheTtlMs?: number;
  fetch?: typeof fetch;
}

export interface ConfiguredRateSource extends RateSource {
  /** Validated RATE_SPREAD_PERCENT ("0" when unset): pass it to fiatToSats / convertFiat. */
  readonly spreadPercent: string;
}

/**
 * Builds the configured rate source from settings passed in (not process.env): validated,
 * with a request timeout and a short in-memory cache. Throws RateError (code "config") naming
 * the variable when a setting is wrong.
 */
export function rateSourceFromEnv(settings: RateSettings, opts: RateOptions = {}): ConfiguredRateSource {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  const sourceName = (blank(settings.RATE_SOURCE)?.toLowerCase() ?? (blank(settings.BTC_FIXED_RATE) ? "fixed" : "coinbase")) as RateSourceName;
  if (!RATE_SOURCES.includes(sourceName))
    throw new RateError("config", "config", `RATE_SOURCE must be one of ${RATE_SOURCES.join(", ")}, got ${JSON.stringify(settings.RATE_SOURCE)}`);

  const spreadPercent = blank(settings.RATE_SPREAD_PERCENT) ?? "0";
  try {
    spreadMultiplier(spreadPercent);
  } catch (e) {
    throw new RateError("config", "config", `RATE_SPREAD_PERCENT must be a decimal percentage from 0 to below 100 such as 1.5 (${(e as Error).message})`);
  }

  const baseUrl = blank(settings.RATE_API_URL);
  if (baseUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (!url || !["http:", "https:"].includes(url.protocol))
      throw new RateError("config", "config", "RATE_API_URL must be an http(s) URL such as https://api.coinbase.com");
  }

  const http = { baseUrl, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, fetch: opts.fetch };
  let inner: RateSource;
  switch (sourceName) {
    case "coinbase":
      inner = coinbaseRateSource(http);
      break;
    case "kraken":
      inner = krakenRateSource(http);
      break;
    case "coingecko":
      inner = coingeckoRateSource(http);
      break;
    case "fixed": {
      const fixed = blank(settings.BTC_FIXED_RATE);
      if (!fixed) throw new RateError("config", "config", "RATE_SOURCE=fixed needs BTC_FIXED_RATE (the fiat price of 1 BTC, e.g. 65000)");
      inner = fixedRateSource(fixed);
      break;
    }
  }
  const cached = cachedRateSource(inner, { ttlMs: opts.cacheTtlMs ?? DEFAULT_RATE_CACHE_MS });
  return { name: cached.name, getBtcRate: (fiat) => cached.getBtcRate(fiat), spreadPercent };
}
