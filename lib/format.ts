// Display helpers for money, credits and dates. Amounts arrive as integers in minor units
// (cents) or whole credits; nothing here does arithmetic on floats. The only division is
// the one Intl needs to print a value, done on an exact integer split (major + minor).

const LOCALE = "en-US";

const moneyFormatters = new Map<string, Intl.NumberFormat>();

function moneyFormatter(currency: string): Intl.NumberFormat {
  const code = currency.toUpperCase();
  let f = moneyFormatters.get(code);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, { style: "currency", currency: code });
    moneyFormatters.set(code, f);
  }
  return f;
}

/** Number of minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  return moneyFormatter(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Formats an integer amount of minor units: formatMoney(500, "USD") → "$5.00".
 * The value is passed to Intl as an exact decimal string, so no float rounding can creep in,
 * however large the amount.
 */
export function formatMoney(minor: number | bigint, currency: string): string {
  if (typeof minor === "number" && !Number.isSafeInteger(minor)) throw new RangeError(`formatMoney expects whole minor units, got ${minor}`);
  const digits = minorDigits(currency);
  const n = BigInt(minor);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const scale = 10n ** BigInt(digits);
  const major = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, "0");
  const decimal = `${negative ? "-" : ""}${major}${digits > 0 ? `.${fraction}` : ""}`;
  // Intl accepts decimal strings exactly (ES2023 "Intl.NumberFormat v3").
  return moneyFormatter(currency).format(decimal as unknown as number);
}

/** Whole credits with thousands separators: 1500 → "1,500". */
export function formatNumber(n: number): string {
  return n.toLocaleString(LOCALE);
}

/** 1 → "1 credit", 1500 → "1,500 credits", 0 → "0 credits". */
export function formatCredits(n: number): string {
  return `${formatNumber(n)} ${Math.abs(n) === 1 ? "credit" : "credits"}`;
}

/** A ledger movement with its sign: 500 → "+500", -20 → "−20" (a true minus sign). */
export function formatSignedCredits(n: number): string {
  if (n > 0) return `+${formatNumber(n)}`;
  if (n < 0) return `\u2212${formatNumber(-n)}`;
  return "0";
}

const dateTime = new Intl.DateTimeFormat(LOCALE, {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** "Nov 23, 2026, 3:26 PM UTC": fixed zone so server and client render the same text. */
export function formatDateTime(d: Date): string {
  return `${dateTime.format(d)} UTC`;
}

/**
 * A checkout's locked rate in words, the right way round for its rail: Bitcoin stores fiat
 * per BTC ("100000 USD/BTC"); the other rails store rail units per fiat unit
 * ("129.5 KES/USD", or an Open Payments asset "0.92 EUR/USD" for amountUnit "EUR:2").
 */
export function describeRate(c: { rateValue: string | null; rateSource: string | null; currency: string; amountUnit: string }): string | null {
  if (!c.rateValue) return null;
  const pair = c.amountUnit === "sat" ? `${c.currency}/BTC` : `${c.amountUnit.split(":")[0]}/${c.currency}`;
  return `${c.rateValue} ${pair}${c.rateSource ? ` (${c.rateSource})` : ""}`;
}
