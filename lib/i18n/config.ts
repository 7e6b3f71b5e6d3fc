// Which languages buyers can read Satchel in, and how one is chosen: the buyer's own choice
// (the switcher's cookie) first, then the browser's Accept-Language, then English. No locale
// in the URL: a link shared between a Swahili and an English reader opens in each one's own.
// Browser-safe and free of next/* imports, so pages, emails and tests share it.

export const LOCALES = ["en", "sw"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
export const LOCALE_COOKIE = "satchel-locale";

/** Each language named in itself, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", sw: "Kiswahili" };

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/**
 * The best of our locales for an Accept-Language header ("sw-KE,sw;q=0.9,en;q=0.8" → "sw"),
 * by quality then order; a region matches its language ("sw-TZ" → "sw"). Null when none fits.
 */
export function matchAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .slice(0, 1000)
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.lang && Number.isFinite(x.q) && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { lang } of ranked) if (isLocale(lang)) return lang;
  return null;
}

/** The locale for a request: the cookie the switcher set, else the browser's languages, else English. */
export function negotiateLocale(cookie: string | null | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  return matchAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}
