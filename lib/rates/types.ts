// What a rate provider answers, and the one error every provider failure becomes.

export interface BtcRate {
  /** Fiat units per 1 BTC as a normalized positive decimal string, e.g. "65432.1". Never a float. */
  rate: string;
  /** Which provider answered (stored on the checkout beside the rate). */
  source: string;
  /** When the rate was fetched (or configured, for fixed rates). */
  at: Date;
}

export interface RateSource {
  /** Short provider name: "coinbase", "kraken", "coingecko", "fixed". */
  readonly name: string;
  /** The BTC price in `fiat` (ISO code such as "USD"). Throws RateError when it cannot be had. */
  getBtcRate(fiat: "USD" | (string & {})): Promise<BtcRate>;
}

export type RateErrorCode = "config" | "unreachable" | "timeout" | "http" | "malformed" | "unsupported";

export class RateError extends Error {
  readonly code: RateErrorCode;
  readonly source: string;
  constructor(source: string, code: RateErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = "RateError";
    this.code = code;
    this.source = source;
  }
}
