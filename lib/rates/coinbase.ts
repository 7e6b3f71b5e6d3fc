import { z } from "zod";
import { fetchJson, fiatCode, type HttpOptions, joinUrl, priceToDecimal } from "@/lib/rates/http";
import { RateError, type RateSource } from "@/lib/rates/types";

// Coinbase spot price: GET {base}/v2/prices/BTC-USD/spot → {"data":{"amount":"65432.10","base":"BTC","currency":"USD"}}
export const COINBASE_DEFAULT_URL = "https://api.coinbase.com";

const Answer = z.object({
  data: z.object({ amount: z.string(), base: z.string().optional(), currency: z.string().optional() }),
});

export function coinbaseRateSource(opts: HttpOptions & { baseUrl?: string } = {}): RateSource {
  const base = opts.baseUrl ?? COINBASE_DEFAULT_URL;
  return {
    name: "coinbase",
    async getBtcRate(fiat) {
      const code = fiatCode("coinbase", fiat);
      const body = await fetchJson("coinbase", joinUrl(base, `/v2/prices/BTC-${code}/spot`), Answer, opts);
      if ((body.data.base && body.data.base.toUpperCase() !== "BTC") || (body.data.currency && body.data.currency.toUpperCase() !== code))
        throw new RateError("coinbase", "malformed", `asked for BTC-${code}, got ${body.data.base}-${body.data.currency}`);
      return { rate: priceToDecimal("coinbase", body.data.amount), source: "coinbase", at: new Date() };
    },
  };
}
