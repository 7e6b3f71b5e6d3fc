"use client";

import { useTranslations } from "next-intl";
import type { RailPanelProps } from "../rail-panels";
import { ContinueAtProvider, SandboxBadge, TryAgainLink } from "./rail-panel";

// Interledger: the buyer approves the payment in their own wallet. While the wallet has not
// answered, a link back to the approval page; a failed payment offers "Try again" with the
// wallet address kept. Facts come from the rail's viewDetails: walletAddress, debit,
// approveUrl, finished, retryHref, sandbox.

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

export function InterledgerPanel({ c }: RailPanelProps) {
  const t = useTranslations("checkout.interledger");
  const wallet = str(c.details.walletAddress);
  const debit = str(c.details.debit);
  const approveUrl = str(c.details.approveUrl);
  const retry = new URLSearchParams({ rail: "interledger", ...(wallet ? { walletAddress: wallet } : {}) });
  const retryHref = `${str(c.details.retryHref) ?? "/"}?${retry}`;
  const finished = c.details.finished === true;

  return (
    <div className="space-y-4">
      {c.details.sandbox === true && <SandboxBadge />}
      {c.status === "pending" && (
        <p className="text-sm text-slate-800 dark:text-slate-200" data-testid="ilp-status">
          {finished ? t("sending") : t("waiting")}
        </p>
      )}
      <ContinueAtProvider c={c} href={approveUrl} label={t("approve")} />
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        {debit && (
          <>
            <dt className="text-slate-600 dark:text-slate-400">{t("debit")}</dt>
            <dd className="tabular text-slate-900 dark:text-white" data-testid="ilp-amount">
              {debit}
            </dd>
          </>
        )}
        {wallet && (
          <>
            <dt className="text-slate-600 dark:text-slate-400">{t("wallet")}</dt>
            <dd className="min-w-0">
              <code className="break-all text-slate-800 dark:text-slate-200" data-testid="ilp-wallet">
                {wallet}
              </code>
            </dd>
          </>
        )}
      </dl>
      <TryAgainLink c={c} href={retryHref} />
    </div>
  );
}
