import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { Alert } from "@/components/alert";
import { ClaimForm } from "@/components/refund/claim-form";
import { card } from "@/components/ui";
import { formatRailAmount } from "@/lib/format";
import { claimView } from "@/lib/refunds/refunds";
import { claimRefundAction, quoteRefundAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  // The link is a credential: never sent on as a referrer, never indexed.
  return { title: (await getTranslations("refund"))("metaTitle"), robots: { index: false, follow: false }, referrer: "no-referrer" };
}
export const dynamic = "force-dynamic";

// /refund/[token] — the buyer's refund claim link (emailed when an admin creates a Bitcoin
// refund). Opening it changes nothing; the address is stored only by the confirm step.
export default async function RefundClaimPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [t, view, locale] = await Promise.all([getTranslations("refund"), claimView(token), getLocale()]);
  if (!view) notFound();
  const l = locale as "en" | "sw";
  const amount = formatRailAmount(view.amount, view.unit, l);
  const values = { payout: (view.payoutSats ?? 0n).toString(), address: view.address ?? "" };
  const statusText =
    view.status === "claimed" && view.paidBy === "admin"
      ? t("status.claimedAdmin", values)
      : view.status !== "awaiting_claim"
        ? t(`status.${view.status}`, values)
        : null;
  return (
    <div className="mx-auto w-full max-w-lg">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <p className="mt-3 text-slate-700 dark:text-slate-300">{t("intro", { amount, packageName: view.packageName })}</p>
      <div className={`${card} mt-6 p-5 sm:p-8`}>
        {view.status === "awaiting_claim" ? (
          <ClaimForm
            token={token}
            network={view.network}
            amount={amount}
            quoteAction={quoteRefundAction}
            claimAction={claimRefundAction}
            labels={{
              address: t("addressLabel"),
              hint: t("addressHint", { network: view.network }),
              check: t("check"),
              quoteTitle: t("quoteTitle"),
              amount: t("quoteAmount"),
              fee: t("quoteFee"),
              receive: t("quoteReceive"),
              to: t("quoteTo"),
              confirm: t("confirm"),
              change: t("change"),
            }}
          />
        ) : (
          <div className="space-y-3">
            <Alert tone={view.status === "confirmed" || view.status === "broadcast" ? "success" : "info"}>
              <span data-testid="refund-claim-status">{statusText}</span>
            </Alert>
            {view.txid && (
              <p className="text-sm">
                {t("txid")}: <span className="break-all font-mono text-xs">{view.txid}</span>
              </p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
