import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { RailPicker } from "@/components/buy/rail-picker";
import { PageTitle } from "@/components/page-title";
import { card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { availableRails } from "@/lib/checkouts/rails";
import { formatMoney } from "@/lib/format";
import { pickMessages } from "@/lib/i18n/messages";
import { findActivePackage } from "@/lib/packages/packages";
import { startCheckout } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("buy"))("metaTitle") };
}

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v.slice(0, 500) : undefined);

// /buy/[slug] — the package, its price on every configured rail, and one way to pay.
// ?rail=<id> preselects a rail and ?walletAddress= (etc.) refills its field after "Try again".
export default async function BuyPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ slug }, sp] = await Promise.all([params, searchParams]);
  await requireUserPage(`/buy/${encodeURIComponent(slug)}`);
  const pkg = await findActivePackage(slug);
  if (!pkg) notFound();
  const [locale, t, rails] = await Promise.all([getLocale(), getTranslations("buy"), availableRails(pkg)]);
  const price = formatMoney(pkg.priceMinor, pkg.currency, locale);
  const chosen = rails.find((r) => r.rail === one(sp.rail));
  const values = chosen ? Object.fromEntries(chosen.fields.map((f) => [f.name, one(sp[f.name]) ?? ""])) : undefined;

  return (
    <div className="mx-auto max-w-lg">
      <PageTitle title={t("title", { name: pkg.name })} />
      <div className={`${card} p-4 sm:p-6`}>
        <dl className="mb-6 space-y-3">
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600 dark:text-slate-400">{t("credits")}</dt>
            <dd className="font-semibold tabular">{t("creditsValue", { count: pkg.credits })}</dd>
          </div>
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600 dark:text-slate-400">{t("price")}</dt>
            <dd className="font-semibold tabular">{price}</dd>
          </div>
        </dl>
        <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["buy"])}>
          <RailPicker packageId={pkg.id} price={price} rails={rails} action={startCheckout} initial={chosen ? { rail: chosen.rail, values } : undefined} />
        </NextIntlClientProvider>
      </div>
      <p className="mt-6 text-sm">
        <Link href="/" className={textLink}>
          {t("back")}
        </Link>
      </p>
    </div>
  );
}
