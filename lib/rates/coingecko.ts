import { z } from "zod";
import { fetchJson, fiatCode, type HttpOptions, joinUrl, priceToDecimal } from "@/lib/rates/http";
import { RateError, type RateSource } from "@/lib/rates/types";

// CoinGecko simple price: GET {base}/api/v3/simple/price?ids=bitcoin&vs_currencies=usd → {"bitcoin":{"usd":65432.1}}
// The price is a JSON number: it goes through priceToDecimal (String() of the parsed number,
// validated), never into arithmetic.
export const COINGECKO_DEFAULT_URL = "https://api.coingecko.com";

const Answer = z.object({ bitcoin: z.record(z.string(), z.unknown()) });

export function coingeckoRateSource(opts: HttpOptions & { baseUrl?: string } = {}): RateSource {
  const base = opts.baseUrl ?? COINGECKO_DEFAULT_URL;
  return {
    name: "coingecko",
    async getBtcRate(fiat) {
      const code = fiatCode("coingecko", fiat).toLowerCase();
      const body = await fetchJson("coingecko", joinUrl(base, `/api/v3/simple/price?ids=bitcoin&vs_currencies=${code}`), Answer, opts);
      const price = body.bitcoin[code];
      if (price === undefined) throw new RateError("coingecko", "unsupported", `no bitcoin price in ${code.toUpperCase()}`);
      return { rate: priceToDecimal("coingecko", price), source: "coingecko", at: new Date() };
    },
  };
}
