import { z } from "zod";
import { fetchJson, fiatCode, type HttpOptions, joinUrl, priceToDecimal } from "@/lib/rates/http";
import { RateError, type RateSource } from "@/lib/rates/types";

// Kraken ticker: GET {base}/0/public/Ticker?pair=XBTUSD →
//   {"error":[],"result":{"XXBTZUSD":{"a":[…],"b":[…],"c":["65432.10000","0.00100000"],…}}}
// The result key is Kraken's own pair name (XXBTZUSD for XBTUSD, XBTCHF for XBTCHF …), so the
// one pair in `result` is used whatever it is called. c[0] is the last trade price.
export const KRAKEN_DEFAULT_URL = "https://api.kraken.com";

const Answer = z.object({
  error: z.array(z.string()),
  result: z.record(z.string(), z.object({ c: z.tuple([z.string(), z.string()]).rest(z.string()) }).loose()).optional(),
});

export function krakenRateSource(opts: HttpOptions & { baseUrl?: string } = {}): RateSource {
  const base = opts.baseUrl ?? KRAKEN_DEFAULT_URL;
  return {
    name: "kraken",
    async getBtcRate(fiat) {
      const code = fiatCode("kraken", fiat);
      const body = await fetchJson("kraken", joinUrl(base, `/0/public/Ticker?pair=XBT${code}`), Answer, opts);
      if (body.error.length > 0) throw new RateError("kraken", "unsupported", `Kraken refused pair XBT${code}: ${body.error.join("; ")}`);
      const pairs = Object.values(body.result ?? {});
      if (pairs.length !== 1 || !pairs[0]) throw new RateError("kraken", "malformed", `expected one pair in the answer, got ${pairs.length}`);
      return { rate: priceToDecimal("kraken", pairs[0].c[0]), source: "kraken", at: new Date() };
    },
  };
}
