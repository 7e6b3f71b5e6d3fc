import type { BtcRate, RateSource } from "@/lib/rates/types";

// A burst of checkouts asks for the same rate many times a second; providers rate-limit and
// a few seconds' staleness is harmless (the rate is locked per checkout anyway). Answers are
// kept for ttlMs per currency, concurrent misses share one request, and failures are not kept.

export const DEFAULT_RATE_CACHE_MS = 30_000;

export function cachedRateSource(inner: RateSource, opts: { ttlMs?: number; now?: () => number } = {}): RateSource {
  const ttlMs = opts.ttlMs ?? DEFAULT_RATE_CACHE_MS;
  const now = opts.now ?? Date.now;
  const fresh = new Map<string, { value: BtcRate; until: number }>();
  const pending = new Map<string, Promise<BtcRate>>();
  return {
    name: inner.name,
    getBtcRate(fiat) {
      const key = String(fiat).toUpperCase();
      const hit = fresh.get(key);
      if (hit && hit.until > now()) return Promise.resolve(copy(hit.value));
      const inFlight = pending.get(key);
      if (inFlight) return inFlight.then(copy);
      const p = inner
        .getBtcRate(fiat)
        .then((value) => {
          fresh.set(key, { value, until: now() + ttlMs });
          return value;
        })
        .finally(() => pending.delete(key));
      pending.set(key, p);
      return p.then(copy);
    },
  };
}

// Callers may mutate what they get (the Date especially); the cached answer must not change.
const copy = (v: BtcRate): BtcRate => ({ ...v, at: new Date(v.at) });
