// Money arithmetic for the Bitcoin rail (and fiat conversions for the other rails).
// Everything is bigint: amounts in integer minor units (sats, cents, whole KES), rates and
// percentages as decimal strings turned into exact fractions. No float ever touches money.
// Browser-safe (no Node imports) so the checkout page can format amounts too.

export const SATS_PER_BTC = 100_000_000n;
const BTC_DECIMALS = 8;

export class AmountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmountError";
  }
}

export type Rounding = "up" | "down" | "nearest";

/** An exact non-negative fraction num / den (den > 0). */
export interface Fraction {
  num: bigint;
  den: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string ("65432.10", "1.5", "0") into an exact fraction.
 * Refuses signs, exponents, spaces, empty parts ("1." / ".5") and anything else.
 * `what` names the value in the error message.
 */
export function parseDecimal(value: string, what = "value"): Fraction {
  const m = typeof value === "string" ? DECIMAL.exec(value) : null;
  if (!m) throw new AmountError(`${what} must be a non-negative decimal number such as 12.34, got ${JSON.stringify(value)}`);
  const frac = m[2] ?? "";
  return { num: BigInt((m[1] ?? "0") + frac), den: 10n ** BigInt(frac.length) };
}

/** parseDecimal, and the value must be > 0. */
export function parsePositiveDecimal(value: string, what = "value"): Fraction {
  const f = parseDecimal(value, what);
  if (f.num === 0n) throw new AmountError(`${what} must be greater than zero, got ${JSON.stringify(value)}`);
  return f;
}

/** Divides num by den (both ≥ 0, den > 0) with the given rounding. */
export function divRound(num: bigint, den: bigint, rounding: Rounding): bigint {
  if (den <= 0n) throw new AmountError("division by zero or a negative divisor");
  if (num < 0n) throw new AmountError("divRound expects a non-negative numerator");
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  if (rounding === "up") return q + 1n;
  if (rounding === "down") return q;
  return 2n * r >= den ? q + 1n : q; // half up
}

function assertSats(sats: bigint, what = "sats"): void {
  if (typeof sats !== "bigint") throw new AmountError(`${what} must be a bigint`);
}

/** Sats → BTC with exactly 8 decimals, for display: 150000n → "0.00150000". Negative keeps its sign. */
export function formatBtc(sats: bigint): string {
  assertSats(sats);
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  const whole = abs / SATS_PER_BTC;
  const frac = (abs % SATS_PER_BTC).toString().padStart(BTC_DECIMALS, "0");
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

/** Sats → BTC with trailing zeros trimmed (what BIP21 and wallets expect): 150000n → "0.0015", 1e8 → "1". */
export function formatBtcTrimmed(sats: bigint): string {
  const s = formatBtc(sats).replace(/0+$/, "");
  return s.endsWith(".") ? s.slice(0, -1) : s;
}

/**
 * BTC decimal string → sats, exactly: "0.0015" → 150000n. Refuses more than 8 decimals,
 * negatives, exponents and anything that is not a plain decimal number.
 */
export function parseBtc(value: string): bigint {
  const m = typeof value === "string" ? DECIMAL.exec(value) : null;
  if (!m) throw new AmountError(`BTC amount must be a non-negative decimal number such as 0.0015, got ${JSON.stringify(value)}`);
  const frac = m[2] ?? "";
  if (frac.length > BTC_DECIMALS) throw new AmountError(`BTC amount has more than 8 decimals (a sat is 0.00000001 BTC): ${value}`);
  return BigInt(m[1] ?? "0") * SATS_PER_BTC + BigInt(frac.padEnd(BTC_DECIMALS, "0"));
}

/**
 * The spread as a multiplier 1 + p/100 (p = RATE_SPREAD_PERCENT, a decimal string, 0 ≤ p < 100).
 * Definition: with spread p the buyer pays p percent MORE of the rail currency than the plain
 * conversion — "1.5" turns 100 000 sats into 101 500 sats. The rate itself is never altered,
 * so the stored rate stays the market rate and the spread is visible beside it.
 */
export function spreadMultiplier(spreadPercent: string | undefined): Fraction {
  if (spreadPercent === undefined || spreadPercent === "") return { num: 1n, den: 1n };
  const p = parseDecimal(spreadPercent, "RATE_SPREAD_PERCENT");
  if (p.num >= 100n * p.den) throw new AmountError(`RATE_SPREAD_PERCENT must be below 100, got ${spreadPercent}`);
  return { num: 100n * p.den + p.num, den: 100n * p.den };
}

function assertMinor(amount: bigint, what: string): void {
  if (typeof amount !== "bigint") throw new AmountError(`${what} must be a bigint of minor units`);
  if (amount < 0n) throw new AmountError(`${what} must not be negative`);
}

function assertDecimals(decimals: number, what: string): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw new AmountError(`${what} must be an integer from 0 to 18`);
}

export interface FiatToSatsInput {
  /** Price in fiat minor units (cents for USD). */
  amountMinor: bigint;
  /** Minor-unit exponent of the fiat currency (2 for USD; see fiatDecimals). */
  fiatDecimals: number;
  /** Fiat units per 1 BTC as a decimal string, e.g. "65432.10". */
  rate: string;
  /** RATE_SPREAD_PERCENT; see spreadMultiplier. */
  spreadPercent?: string;
}

/**
 * Fiat price → sats the buyer must pay, rounded UP to the next sat so the buyer always pays
 * at least the price: sats = ⌈ amountMinor / 10^fiatDecimals / rate × 10^8 × (1 + spread/100) ⌉.
 */
export function fiatToSats({ amountMinor, fiatDecimals, rate, spreadPercent }: FiatToSatsInput): bigint {
  assertMinor(amountMinor, "amountMinor");
  assertDecimals(fiatDecimals, "fiatDecimals");
  const r = parsePositiveDecimal(rate, "BTC rate");
  const s = spreadMultiplier(spreadPercent);
  const num = amountMinor * SATS_PER_BTC * r.den * s.num;
  const den = 10n ** BigInt(fiatDecimals) * r.num * s.den;
  return divRound(num, den, "up");
}

export interface SatsToFiatInput {
  sats: bigint;
  fiatDecimals: number;
  /** Fiat units per 1 BTC as a decimal string. */
  rate: string;
  /** Default "nearest" (half up): this is for display, e.g. the fiat value of what arrived. */
  rounding?: Rounding;
}

/** Sats → fiat minor units at a rate (display; no spread): ⌊ sats × rate × 10^fiatDecimals / 10^8 ⌉. */
export function satsToFiat({ sats, fiatDecimals, rate, rounding = "nearest" }: SatsToFiatInput): bigint {
  assertMinor(sats, "sats");
  assertDecimals(fiatDecimals, "fiatDecimals");
  const r = parsePositiveDecimal(rate, "BTC rate");
  return divRound(sats * r.num * 10n ** BigInt(fiatDecimals), SATS_PER_BTC * r.den, rounding);
}

export interface ConvertFiatInput {
  amountMinor: bigint;
  fromDecimals: number;
  toDecimals: number;
  /** Units of the target currency per 1 unit of the source, e.g. "129.50" for USD→KES. */
  rate: string;
  spreadPercent?: string;
  /** Default "up": the buyer pays at least the price. */
  rounding?: Rounding;
}

/**
 * Fiat → other fiat in minor units, e.g. 500 US cents at USD:KES=129.50 with toDecimals 0
 * (M-Pesa charges whole shillings) → ⌈647.5⌉ = 648 KES.
 */
export function convertFiat({ amountMinor, fromDecimals, toDecimals, rate, spreadPercent, rounding = "up" }: ConvertFiatInput): bigint {
  assertMinor(amountMinor, "amountMinor");
  assertDecimals(fromDecimals, "fromDecimals");
  assertDecimals(toDecimals, "toDecimals");
  const r = parsePositiveDecimal(rate, "FX rate");
  const s = spreadMultiplier(spreadPercent);
  const num = amountMinor * r.num * s.num * 10n ** BigInt(toDecimals);
  const den = r.den * s.den * 10n ** BigInt(fromDecimals);
  return divRound(num, den, rounding);
}

/**
 * ISO 4217 minor-unit exponent of a currency (USD 2, JPY 0, KES 2, BHD 3), from the runtime's
 * Intl data. Throws for codes that are not three letters.
 */
export function fiatDecimals(currency: string): number {
  if (!/^[A-Za-z]{3}$/.test(currency)) throw new AmountError(`not an ISO 4217 currency code: ${JSON.stringify(currency)}`);
  const d = new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits;
  return d ?? 2;
}

/** Formats minor units as a plain decimal string: (12345n, 2) → "123.45", (648n, 0) → "648". */
export function formatMinor(amountMinor: bigint, decimals: number): string {
  assertDecimals(decimals, "decimals");
  const neg = amountMinor < 0n;
  const abs = neg ? -amountMinor : amountMinor;
  if (decimals === 0) return `${neg ? "-" : ""}${abs}`;
  const scale = 10n ** BigInt(decimals);
  return `${neg ? "-" : ""}${abs / scale}.${(abs % scale).toString().padStart(decimals, "0")}`;
}

/** Normalizes a positive decimal string: trims trailing fractional zeros and leading zeros ("065432.1000" → "65432.1"). */
export function normalizeDecimal(value: string, what = "value"): string {
  const f = parseDecimal(value, what);
  const digits = String(f.den).length - 1;
  if (digits === 0) return f.num.toString();
  const whole = f.num / f.den;
  const frac = (f.num % f.den).toString().padStart(digits, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}
