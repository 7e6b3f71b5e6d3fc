import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { PaymentHistory } from "@/components/account/payment-history";
import { LedgerTable } from "@/components/ledger-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { ledgerFor } from "@/lib/ledger/ledger";
import { paymentHistory } from "@/lib/receipts/history";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("account"))("metaTitle") };
}
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireUserPage("/account");
  const [{ balance, entries }, payments, t] = await Promise.all([ledgerFor(user.id), paymentHistory(user.id), getTranslations("account")]);

  return (
    <div>
      <PageTitle
        title={t("title")}
        lead={t.rich("signedInAs", { email: user.email, strong: (c) => <span className="font-medium text-slate-900 dark:text-white">{c}</span> })}
      />

      <section aria-labelledby="balance-title" className={`${card} flex flex-col gap-4 p-5 sm:flex-row sm:items-center sm:justify-between sm:p-6`}>
        <div>
          <h2 id="balance-title" className="text-sm font-medium text-slate-600 dark:text-slate-400">
            {t("balance")}
          </h2>
          <p className="mt-1 text-3xl font-bold tracking-tight text-slate-900 tabular dark:text-white" data-testid="balance">
            {t("credits", { count: balance })}
          </p>
        </div>
        <div className="flex flex-wrap gap-3">
          <Link href="/" className={buttonPrimary}>
            {t("getMore")}
          </Link>
          <Link href="/account/settings" className={buttonSecondary}>
            {t("settings")}
          </Link>
        </div>
      </section>

      <section aria-labelledby="payments-title" className="mt-10">
        <h2 id="payments-title" className="mb-4 text-lg font-semibold text-slate-900 dark:text-white">
          {t("paymentsTitle")}
        </h2>
        <PaymentHistory rows={payments} />
      </section>

      <section aria-labelledby="history-title" className="mt-10">
        <h2 id="history-title" className="mb-4 text-lg font-semibold text-slate-900 dark:text-white">
          {t("historyTitle")}
        </h2>
        <LedgerTable entries={entries} />
        {entries.length >= 50 && <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">{t("recentOnly")}</p>}
      </section>
    </div>
  );
}
