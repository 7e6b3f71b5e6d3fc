// Display formatting for money, credits and dates — the ONE place amounts become text, for
// every page, receipt, PDF, email and admin view. Amounts arrive as integers in minor units
// (cents), whole shillings, sats (bigint or decimal strings) or whole credits; nothing here
// does arithmetic on floats: Intl gets exact decimal strings. Browser-safe (no imports), so
// client components format with the same functions.
//
//   formatMoney(2000, "USD")              "$20.00"
//   formatRailAmount(2590, "KES")         "KES 2,590"          (M-Pesa: whole shillings)
//   formatRailAmount(20000n, "sat")       "0.0002 BTC (20,000 sats)"
//   formatRailAmount(2000, "USD:2")       "$20.00"             (an Open Payments asset)
//   formatRate({ rateValue: "100000", currency: "USD", amountUnit: "sat" })  "1 BTC = $100,000"

export type Locale = string;
const DEFAULT_LOCALE = "en";

/** Intl's tag for one of our locales (Swahili as written in Kenya). */
function intlLocale(locale: Locale | undefined): string {
  if (!locale || locale === "en") return "en-US";
  if (locale === "sw") return "sw-KE";
  return locale;
}

const formatters = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${intlLocale(locale)}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(intlLocale(locale), options);
    formatters.set(key, f);
  }
  return f;
}

const moneyFormatter = (currency: string, locale?: Locale, fractionDigits?: { min: number; max: number }) =>
  numberFormat(locale, {
    style: "currency",
    currency: currency.toUpperCase(),
    ...(fractionDigits ? { minimumFractionDigits: fractionDigits.min, maximumFractionDigits: fractionDigits.max } : {}),
  });

/** Number of minor-unit digits of an ISO 4217 currency (USD 2, JPY 0, KWD 3). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

const ISO_CURRENCY = /^[A-Za-z]{3}$/;

function isCurrency(code: string): boolean {
  if (!ISO_CURRENCY.test(code)) return false;
  try {
    new Intl.NumberFormat("en-US", { style: "currency", currency: code });
    return true;
  } catch {
    return false;
  }
}

/** An integer of `digits`-decimal minor units as an exact decimal string: (12345n, 2) → "123.45". */
function decimalString(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const scale = 10n ** BigInt(digits);
  const fraction = digits > 0 ? `.${(abs % scale).toString().padStart(digits, "0")}` : "";
  return `${negative ? "-" : ""}${abs / scale}${fraction}`;
}

function toBigInt(v: number | bigint | string, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${what} expects whole minor units, got ${v}`);
    return BigInt(v);
  }
  if (!/^-?\d+$/.test(v)) throw new RangeError(`${what} expects an integer string, got ${JSON.stringify(v)}`);
  return BigInt(v);
}

// Intl accepts decimal strings exactly (ES2023 "Intl.NumberFormat v3"); the cast is for the types.
const exact = (s: string) => s as unknown as number;

/**
 * An integer amount of minor units: formatMoney(500, "USD") → "$5.00". Exact however large
 * the amount (the value reaches Intl as a decimal string).
 */
export function formatMoney(minor: number | bigint | string, currency: string, locale?: Locale): string {
  // A host's own price in BTC is held in satoshis.
  if (currency === "BTC") return formatBtc(toBigInt(minor, "formatMoney"), locale);
  const digits = minorDigits(currency);
  return moneyFormatter(currency, locale).format(exact(decimalString(toBigInt(minor, "formatMoney"), digits)));
}

/** A whole number with the locale's grouping: 20000 → "20,000". */
export function formatNumber(n: number | bigint, locale?: Locale): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A non-negative decimal string with grouping, as many decimals as it has (up to 8): "129.5" → "129.5". */
function formatDecimal(value: string, locale?: Locale, minFraction = 0): string {
  return numberFormat(locale, { minimumFractionDigits: minFraction, maximumFractionDigits: 8 }).format(exact(value));
}

const SATS_PER_BTC = 100_000_000n;

/** Sats as BTC, trailing zeros trimmed: 20000n → "0.0002 BTC". */
export function formatBtc(sats: bigint | string | number, locale?: Locale): string {
  const s = toBigInt(sats, "formatBtc");
  const negative = s < 0n;
  const abs = negative ? -s : s;
  const fraction = (abs % SATS_PER_BTC).toString().padStart(8, "0").replace(/0+$/, "");
  const whole = formatNumber(abs / SATS_PER_BTC, locale);
  const sep = numberFormat(locale, { minimumFractionDigits: 1 }).format(1.5).replace(/\d/g, "") || ".";
  return `${negative ? "-" : ""}${whole}${fraction ? `${sep}${fraction}` : ""} BTC`;
}

/** "0.0002 BTC (20,000 sats)" — what a buyer reads beside a Bitcoin amount. */
export function formatSats(sats: bigint | string | number, locale?: Locale): string {
  const s = toBigInt(sats, "formatSats");
  const abs = s < 0n ? -s : s;
  return `${formatBtc(s, locale)} (${formatNumber(s, locale)} ${abs === 1n ? "sat" : "sats"})`;
}

/** Whole Kenyan shillings, the unit M-Pesa charges in: 2590 → "KES 2,590". */
export function formatKes(shillings: number | bigint | string, locale?: Locale): string {
  return `KES ${formatNumber(toBigInt(shillings, "formatKes"), locale)}`;
}

/**
 * An amount in a checkout's rail unit (Checkout.amountUnit): "sat" (Bitcoin), "KES" (M-Pesa,
 * whole shillings), "<asset>:<scale>" (an Open Payments asset: "USD:2"), "<currency> cents" /
 * "<currency> minor units" / "<currency>" (a gateway charging the package currency's minor units).
 */
export function formatRailAmount(amount: number | bigint | string, unit: string, locale?: Locale): string {
  const value = toBigInt(amount, "formatRailAmount");
  if (unit === "sat") return formatSats(value, locale);
  if (unit === "KES") return formatKes(value, locale);
  const asset = /^([A-Za-z0-9]{1,20}):(\d{1,2})$/.exec(unit);
  if (asset) {
    const [, code, scaleText] = asset;
    const scale = Number(scaleText);
    if (isCurrency(code!) && minorDigits(code!) === scale) return formatMoney(value, code!, locale);
    return `${formatDecimal(decimalString(value, scale), locale, scale)} ${code}`;
  }
  const minor = /^([A-Za-z]{3})(?: (?:cents|minor units))?$/.exec(unit);
  if (minor && isCurrency(minor[1]!)) return formatMoney(value, minor[1]!, locale);
  return `${formatNumber(value, locale)} ${unit}`;
}

/** A price in major units as money, with only the decimals it needs: ("100000", "USD") → "$100,000". */
function formatMajor(value: string, currency: string, locale?: Locale): string {
  const decimals = value.includes(".") ? Math.min(value.split(".")[1]!.length, 8) : 0;
  const digits = decimals === 0 ? 0 : Math.max(decimals, minorDigits(currency));
  return moneyFormatter(currency, locale, { min: digits, max: digits }).format(exact(value));
}

export interface RateFacts {
  rateValue: string | null;
  /** The package's (fiat) currency. */
  currency: string;
  amountUnit: string;
}

/**
 * A checkout's locked rate, the right way round for its rail: Bitcoin stores fiat per BTC
 * ("1 BTC = $100,000"); the other rails store rail units per fiat unit ("1 USD = KES 129.5",
 * an Open Payments asset "1 USD = 0.92 EUR"). Null when the checkout has no rate.
 */
export function formatRate(c: RateFacts, locale?: Locale): string | null {
  if (!c.rateValue || !/^\d+(\.\d+)?$/.test(c.rateValue) || c.currency === "BTC") return null;
  if (c.amountUnit === "sat") return `1 BTC = ${formatMajor(c.rateValue, c.currency, locale)}`;
  const target = c.amountUnit.split(":")[0]!;
  const value =
    target === "KES"
      ? `KES ${formatDecimal(c.rateValue, locale)}`
      : isCurrency(target)
        ? formatMajor(c.rateValue, target, locale)
        : `${formatDecimal(c.rateValue, locale)} ${target}`;
  return `1 ${c.currency.toUpperCase()} = ${value}`;
}

/** The rate with where it came from, for admins and receipts: "1 BTC = $100,000 (coinbase)". */
export function describeRate(c: RateFacts & { rateSource: string | null }, locale?: Locale): string | null {
  const rate = formatRate(c, locale);
  return rate && c.rateSource ? `${rate} (${c.rateSource})` : rate;
}

/** 1 → "1 credit", 1500 → "1,500 credits", 0 → "0 credits" (English; buyer pages use their messages). */
export function formatCredits(n: number): string {
  return `${formatNumber(n)} ${Math.abs(n) === 1 ? "credit" : "credits"}`;
}

/** A ledger movement with its sign: 500 → "+500", -20 → "−20" (a true minus sign). */
export function formatSignedCredits(n: number, locale?: Locale): string {
  if (n > 0) return `+${formatNumber(n, locale)}`;
  if (n < 0) return `\u2212${formatNumber(-n, locale)}`;
  return "0";
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();

/** "Nov 23, 2026, 3:26 PM UTC": a fixed zone, so server and browser render the same text. */
export function formatDateTime(d: Date | string, locale: Locale = DEFAULT_LOCALE): string {
  const tag = intlLocale(locale);
  let f = dateTimes.get(tag);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
    dateTimes.set(tag, f);
  }
  return `${f.format(typeof d === "string" ? new Date(d) : d)} UTC`;
}
