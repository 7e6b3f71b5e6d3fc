import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { Alert } from "@/components/alert";
import { buttonPrimary, card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { receiptFor, receiptLines, receiptStatus } from "@/lib/receipts/receipt";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("receipt"))("title") };
}
export const dynamic = "force-dynamic";

// A buyer's receipt (linked from the receipt email), in the reader's language. Someone else's
// checkout, or one without credits yet, is a 404: ids reveal nothing.
export default async function ReceiptPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUserPage(`/account/receipts/${id}`);
  const [receipt, t, locale] = await Promise.all([receiptFor(id, user), getTranslations("receipt"), getLocale()]);
  if (!receipt) notFound();
  return (
    <div className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link href="/account" className={textLink}>
          {t("account")}
        </Link>{" "}
        /
      </p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <p className="mt-2 text-base text-slate-600 dark:text-slate-300">{t("lead", { count: receipt.creditsAdded })}</p>
      {receipt.creditsRefunded > 0 && (
        <div className="mt-4">
          <Alert tone="info">{receiptStatus(receipt, locale)}</Alert>
        </div>
      )}
      <section aria-label={t("details")} className={`${card} mt-6 p-5 sm:p-6`}>
        <dl className="divide-y divide-slate-100 dark:divide-slate-800">
          {receiptLines(receipt, locale).map(([k, v]) => (
            <div key={k} className="grid gap-1 py-2.5 sm:grid-cols-3">
              <dt className="text-sm font-medium text-slate-600 dark:text-slate-400">{k}</dt>
              <dd className="break-all text-sm text-slate-900 sm:col-span-2 dark:text-white">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <a href={`/account/receipts/${receipt.checkoutId}/pdf`} className={`${buttonPrimary} mt-6`} download>
        {t("download")}
      </a>
    </div>
  );
}
