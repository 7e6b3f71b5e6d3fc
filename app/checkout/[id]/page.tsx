import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { CheckoutLive } from "@/components/checkout/checkout-live";
import { PageTitle } from "@/components/page-title";
import { requireUserPage } from "@/lib/auth/guards";
import { env } from "@/lib/env";
import { pickMessages } from "@/lib/i18n/messages";
import { liveCheckout } from "@/lib/lifecycle/live";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("checkout"))("metaTitle") };
}

// /checkout/[id] — owner or admin only; anyone else gets the same 404 as an unknown id.
export default async function CheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUserPage(`/checkout/${encodeURIComponent(id)}`);
  const view = await liveCheckout(id, user);
  if (!view) notFound();
  const [locale, t] = await Promise.all([getLocale(), getTranslations("checkout")]);
  const e = env();
  return (
    <div className="mx-auto max-w-3xl">
      <PageTitle title={t("title", { rail: t(`rail.${view.rail}`) })} />
      <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["checkout"])}>
        <CheckoutLive initial={view} support={{ email: e.SUPPORT_EMAIL ?? null, url: e.SUPPORT_URL ?? null }} />
      </NextIntlClientProvider>
    </div>
  );
}
