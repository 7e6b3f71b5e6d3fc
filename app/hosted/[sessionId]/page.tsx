import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { RailPicker } from "@/components/buy/rail-picker";
import { PageTitle } from "@/components/page-title";
import { card, textLink } from "@/components/ui";
import { availableRails } from "@/lib/checkouts/rails";
import { formatMoney } from "@/lib/format";
import { hostedSession, sessionStatus, successRedirect } from "@/lib/host/sessions";
import { pickMessages } from "@/lib/i18n/messages";
import { startHostedCheckout } from "./actions";

// same-origin, not no-referrer: other sites still get no referrer, but the browser must send our
// Origin on the rail form's POST — under no-referrer a form submitted before hydration carries
// `Origin: null` and Next rejects the server action (e2e/host-app.spec.ts saw it).
export const metadata: Metadata = { title: "Checkout", referrer: "same-origin" };
export const dynamic = "force-dynamic";

// /hosted/[sessionId] — a host's checkout session, for the browser that opened its link (the
// token cookie): what is bought, one way to pay among the rails the host allows, and the way
// back. Without the cookie it is the same 404 as an unknown session.
export default async function HostedPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  const jar = await cookies();
  const s = await hostedSession(sessionId, (n) => jar.get(n)?.value);
  if (!s) notFound();
  const status = sessionStatus(s);
  if (status === "complete") redirect(successRedirect(s));
  const open = s.checkouts.find((c) => ["pending", "confirming", "paid"].includes(c.status));
  const [locale, t] = await Promise.all([getLocale(), getTranslations("buy")]);
  const price = formatMoney(s.amountMinor, s.currency, locale);
  const rails = (await availableRails({ priceMinor: s.amountMinor, currency: s.currency })).filter(
    (r) => (s.rails.length === 0 || s.rails.includes(r.rail)) && (s.currency !== "BTC" || r.rail === "btc"),
  );
  return (
    <div className="mx-auto max-w-lg">
      <PageTitle title={s.description} />
      <div className={`${card} p-4 sm:p-6`}>
        <dl className="mb-6 space-y-3">
          {s.credits > 0 && (
            <div className="flex justify-between gap-4">
              <dt className="text-slate-600 dark:text-slate-400">{t("credits")}</dt>
              <dd className="font-semibold tabular">{t("creditsValue", { count: s.credits })}</dd>
            </div>
          )}
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600 dark:text-slate-400">{t("price")}</dt>
            <dd className="font-semibold tabular">{price}</dd>
          </div>
        </dl>
        {status === "expired" ? (
          <p className="text-slate-700">This checkout has expired. Go back and start again.</p>
        ) : open ? (
          <p>
            <Link href={`/checkout/${open.id}`} className={textLink}>
              Continue your payment
            </Link>
          </p>
        ) : (
          <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["buy"])}>
            <RailPicker packageId={s.id} price={price} rails={rails} action={startHostedCheckout} />
          </NextIntlClientProvider>
        )}
      </div>
      {s.cancelUrl && (
        <p className="mt-6 text-sm">
          <a href={s.cancelUrl} className={textLink}>
            Cancel and go back
          </a>
        </p>
      )}
    </div>
  );
}
