import { normalizeDecimal } from "@/lib/money/amounts";
import { RateError } from "@/lib/rates/types";

// Fiat-to-fiat rates for rails that charge in another currency than the package price
// (M-Pesa charges KES for USD-priced packages). FX_FIXED_RATES lists them by hand:
//   FX_FIXED_RATES="USD:KES=129.50,EUR:KES=140.10"
// meaning 1 USD = 129.50 KES. Only listed directions exist: inverting a decimal rarely gives
// a finite decimal, and an operator should state the rate they charge.

export interface FxRate {
  /** Units of `to` per 1 unit of `from`, normalized decimal string. */
  rate: string;
  source: string;
  at: Date;
}

export interface FxSource {
  getFxRate(from: string, to: string): Promise<FxRate>;
}

export function parseFxFixedRates(value: string | undefined): Map<string, string> {
  const rates = new Map<string, string>();
  const text = (value ?? "").trim();
  if (!text) return rates;
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z]{3})\s*:\s*([A-Za-z]{3})\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new RateError("fx-fixed", "config", `FX_FIXED_RATES entry ${JSON.stringify(part)} is not FROM:TO=rate, e.g. USD:KES=129.50`);
    const key = pairKey(m[1]!, m[2]!);
    if (m[1]!.toUpperCase() === m[2]!.toUpperCase()) throw new RateError("fx-fixed", "config", `FX_FIXED_RATES entry ${part} converts a currency to itself`);
    if (rates.has(key)) throw new RateError("fx-fixed", "config", `FX_FIXED_RATES lists ${key} twice`);
    const rate = normalizeDecimal(m[3]!);
    if (/^0(\.0*)?$/.test(rate)) throw new RateError("fx-fixed", "config", `FX_FIXED_RATES entry ${part} has a zero rate`);
    rates.set(key, rate);
  }
  return rates;
}

export function fixedFxSource(fxFixedRates: string | undefined): FxSource {
  const rates = parseFxFixedRates(fxFixedRates);
  return {
    async getFxRate(from, to) {
      if (from.toUpperCase() === to.toUpperCase()) return { rate: "1", source: "identity", at: new Date() };
      const rate = rates.get(pairKey(from, to));
      if (!rate) throw new RateError("fx-fixed", "unsupported", `no ${pairKey(from, to)} rate: add it to FX_FIXED_RATES (e.g. ${pairKey(from, to)}=129.50)`);
      return { rate, source: "fixed", at: new Date() };
    },
  };
}

const pairKey = (from: string, to: string) => `${from.toUpperCase()}:${to.toUpperCase()}`;
