import type { Metadata } from "next";
import { cookies } from "next/headers";
import { notFound } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { CheckoutLive } from "@/components/checkout/checkout-live";
import { PageTitle } from "@/components/page-title";
import { requireUserPage } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { hostedViewer, sessionOfCheckout, successRedirect } from "@/lib/host/sessions";
import { pickMessages } from "@/lib/i18n/messages";
import { liveCheckout } from "@/lib/lifecycle/live";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("checkout"))("metaTitle") };
}

// /checkout/[id] — owner or admin only, or the browser holding the host's session token for
// this checkout (a hosted checkout); anyone else gets the same 404 as an unknown id.
// ?finish=unverified: the Interledger finish link did not verify (nothing changed); say so.
export default async function CheckoutPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const unverified = (await searchParams).finish === "unverified";
  const jar = await cookies();
  const hosted = await hostedViewer(id, (n) => jar.get(n)?.value);
  const user = hosted ?? (await requireUserPage(`/checkout/${encodeURIComponent(id)}`));
  const view = await liveCheckout(id, user);
  if (!view) notFound();
  const session = hosted ? await sessionOfCheckout(id) : null;
  const [locale, t] = await Promise.all([getLocale(), getTranslations("checkout")]);
  const e = env();
  return (
    <div className="mx-auto max-w-3xl">
      <PageTitle title={t("title", { rail: t(`rail.${view.rail}`) })} />
      {unverified ? (
        <p
          role="alert"
          className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          {t("finishUnverified")}
        </p>
      ) : null}
      <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["checkout"])}>
        <CheckoutLive
          initial={view}
          support={{ email: e.SUPPORT_EMAIL ?? null, url: e.SUPPORT_URL ?? null }}
          successHref={session ? successRedirect(session) : null}
        />
      </NextIntlClientProvider>
    </div>
  );
}
