import { createTranslator } from "use-intl/core";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./config";
import en from "./messages/en.json";
import sw from "./messages/sw.json";

// The buyer-facing messages in every language (ICU message format), one JSON file per
// locale with the same keys — lib/i18n/messages.test.ts fails if any key lacks a translation.
// Pages read them through next-intl; emails and PDFs (no request) through `translator`.

export type Messages = typeof en;
const ALL: Record<Locale, Messages> = { en, sw };

/** Dates are shown in one fixed zone so the server and the browser render the same text. */
export const TIME_ZONE = "UTC";

export function messagesFor(locale: string | null | undefined): Messages {
  return ALL[isLocale(locale) ? locale : DEFAULT_LOCALE];
}

/** A t() outside a request (emails, receipts' PDF): translator("sw", "email")("receiptSubject", {...}). */
export function translator<N extends keyof Messages>(locale: string | null | undefined, namespace: N) {
  const l = isLocale(locale) ? locale : DEFAULT_LOCALE;
  return createTranslator({ locale: l, messages: ALL[l], namespace, timeZone: TIME_ZONE });
}

/** Only the namespaces a client component needs, so pages ship no more messages than they use. */
export function pickMessages<N extends keyof Messages>(locale: string, namespaces: readonly N[]): Pick<Messages, N> {
  const m = messagesFor(locale);
  return Object.fromEntries(namespaces.map((n) => [n, m[n]])) as Pick<Messages, N>;
}
