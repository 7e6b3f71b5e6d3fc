import { normalizeDecimal } from "@/lib/money/amounts";
import { RateError, type RateSource } from "@/lib/rates/types";

// BTC_FIXED_RATE: either one price used for every currency ("65000.00"), or per-currency
// prices ("USD=65000,EUR=60000.50"). For development, tests, and operators who price by hand.

export function parseFixedBtcRates(value: string): { any?: string; byFiat: Map<string, string> } {
  const text = (value ?? "").trim();
  if (!text) throw new RateError("fixed", "config", "BTC_FIXED_RATE is empty: set it to the fiat price of 1 BTC, e.g. 65000 or USD=65000,EUR=60000");
  const bad = (why: string) => new RateError("fixed", "config", `BTC_FIXED_RATE ${why}; expected e.g. 65000 or USD=65000,EUR=60000`);
  const positive = (s: string) => {
    if (!/^\d+(\.\d+)?$/.test(s)) throw bad(`has ${JSON.stringify(s)}, which is not a positive decimal number`);
    const n = normalizeDecimal(s);
    if (/^0(\.0*)?$/.test(n)) throw bad("has a zero price");
    return n;
  };
  if (!text.includes("=")) return { any: positive(text), byFiat: new Map() };
  const byFiat = new Map<string, string>();
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [code, price, ...rest] = part.split("=").map((s) => s.trim());
    if (!code || price === undefined || rest.length || !/^[A-Za-z]{3}$/.test(code)) throw bad(`has an entry ${JSON.stringify(part)} that is not CODE=price`);
    if (byFiat.has(code.toUpperCase())) throw bad(`lists ${code.toUpperCase()} twice`);
    byFiat.set(code.toUpperCase(), positive(price));
  }
  return { byFiat };
}

export function fixedRateSource(btcFixedRate: string): RateSource {
  const rates = parseFixedBtcRates(btcFixedRate);
  return {
    name: "fixed",
    async getBtcRate(fiat) {
      const code = typeof fiat === "string" ? fiat.toUpperCase() : "";
      const rate = rates.byFiat.get(code) ?? rates.any;
      if (!rate) throw new RateError("fixed", "unsupported", `BTC_FIXED_RATE has no price for ${JSON.stringify(fiat)}`);
      return { rate, source: "fixed", at: new Date() };
    },
  };
}
