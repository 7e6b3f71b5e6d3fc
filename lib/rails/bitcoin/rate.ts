import "server-only";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { type ConfiguredRateSource, RateError, rateSourceFromEnv } from "@/lib/rates";

// The BTC rate a new checkout locks. The embedded default prices at a fixed demo rate
// (no network needed); deployments choose a public price API with RATE_SOURCE.

export const EMBEDDED_DEMO_RATE = "100000";

export interface LockedRate {
  rate: string;
  source: string;
  at: Date;
  spreadPercent: string;
}

let source: ConfiguredRateSource | undefined;

function rateSource(): ConfiguredRateSource {
  if (!source) {
    const e = env();
    const fixedDefault = e.embedded && !e.RATE_SOURCE ? EMBEDDED_DEMO_RATE : undefined;
    source = rateSourceFromEnv({
      RATE_SOURCE: e.RATE_SOURCE ?? (fixedDefault ? "fixed" : undefined),
      RATE_API_URL: e.RATE_API_URL,
      BTC_FIXED_RATE: e.BTC_FIXED_RATE ?? fixedDefault,
      RATE_SPREAD_PERCENT: e.RATE_SPREAD_PERCENT,
    });
  }
  return source;
}

export function resetRateSourceForTests(): void {
  source = undefined;
}

export async function lockBtcRate(currency: string): Promise<LockedRate> {
  const s = rateSource();
  try {
    const r = await s.getBtcRate(currency);
    return { ...r, spreadPercent: s.spreadPercent };
  } catch (err) {
    if (err instanceof RateError) {
      log.warn({ err: err.message, source: err.source }, "rate source failed");
      throw new AppError("unavailable", "We could not get a Bitcoin price just now. Please try again in a minute.");
    }
    throw err;
  }
}
