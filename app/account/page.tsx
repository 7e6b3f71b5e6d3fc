import type { Metadata } from "next";
import Link from "next/link";
import { PaymentHistory } from "@/components/account/payment-history";
import { LedgerTable } from "@/components/ledger-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, card } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { formatCredits } from "@/lib/format";
import { ledgerFor } from "@/lib/ledger/ledger";
import { paymentHistory } from "@/lib/receipts/history";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

export default async function AccountPage() {
  const user = await requireUserPage("/account");
  const [{ balance, entries }, payments] = await Promise.all([ledgerFor(user.id), paymentHistory(user.id)]);

  return (
    <div>
      <PageTitle
        title="Your account"
        lead={
          <>
            Signed in as <span className="font-medium text-slate-900">{user.email}</span>
          </>
        }
      />

      <section aria-labelledby="balance-title" className={`${card} flex flex-col gap-4 p-6 sm:flex-row sm:items-center sm:justify-between`}>
        <div>
          <h2 id="balance-title" className="text-sm font-medium text-slate-600">
            Balance
          </h2>
          <p className="mt-1 text-3xl font-bold tracking-tight text-slate-900 tabular" data-testid="balance">
            {formatCredits(balance)}
          </p>
        </div>
        <Link href="/" className={buttonPrimary}>
          Get more credits
        </Link>
      </section>

      <section aria-labelledby="payments-title" className="mt-10">
        <h2 id="payments-title" className="mb-4 text-lg font-semibold text-slate-900">
          Payments
        </h2>
        <PaymentHistory rows={payments} />
      </section>

      <section aria-labelledby="history-title" className="mt-10">
        <h2 id="history-title" className="mb-4 text-lg font-semibold text-slate-900">
          Credit history
        </h2>
        <LedgerTable entries={entries} />
        {entries.length >= 50 && <p className="mt-3 text-sm text-slate-600">Showing your 50 most recent movements.</p>}
      </section>
    </div>
  );
}
