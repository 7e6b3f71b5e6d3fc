import { cookies, headers } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, negotiateLocale } from "@/lib/i18n/config";
import { messagesFor, TIME_ZONE } from "@/lib/i18n/messages";

// next-intl's per-request configuration (wired in next.config.ts): no locale prefix in the
// URL, so the locale comes from the switcher's cookie or the browser's Accept-Language.
export default getRequestConfig(async () => {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale(jar.get(LOCALE_COOKIE)?.value, h.get("accept-language"));
  return { locale, messages: messagesFor(locale), timeZone: TIME_ZONE };
});
