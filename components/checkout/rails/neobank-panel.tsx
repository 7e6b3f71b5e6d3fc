"use client";

import { useTranslations } from "next-intl";
import type { RailPanelProps } from "../rail-panels";
import { ContinueAtProvider, SandboxBadge, TryAgainLink } from "./rail-panel";

// NEO Bank: the buyer pays on the gateway's page. While the checkout waits, a link back to
// that page — or, when the gateway gave none (compat mode: {tx_id, status: "pending"}), the
// words to approve the payment in the NEO Bank app; then what the gateway last said, live (the
// page polls; the rail's status query follows the gateway); a failed payment offers "Try again".
// Facts come from the rail's viewDetails: paymentUrl, gatewayStatus, gatewayTxId, retryHref, sandbox.

const STATUSES = ["CREATED", "PENDING", "SUCCESS", "SETTLED", "FAILED"];
const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

export function NeobankPanel({ c }: RailPanelProps) {
  const t = useTranslations("checkout.neobank");
  const paymentUrl = str(c.details.paymentUrl);
  const gatewayStatus = str(c.details.gatewayStatus);
  const txId = str(c.details.gatewayTxId);
  const retryHref = `${str(c.details.retryHref) ?? "/"}?rail=neobank`;

  return (
    <div className="space-y-4">
      {c.details.sandbox === true && <SandboxBadge />}
      {c.open && gatewayStatus && (
        <p className="text-sm text-slate-800 dark:text-slate-200" data-testid="neobank-status">
          {STATUSES.includes(gatewayStatus) ? t(`status.${gatewayStatus}`) : t("status.other", { status: gatewayStatus })}
        </p>
      )}
      <ContinueAtProvider c={c} href={paymentUrl} label={t("continue")} />
      {c.status === "pending" && !paymentUrl && txId && (
        <p className="text-sm font-medium text-slate-900 dark:text-slate-100" data-testid="neobank-approve-in-app">
          {t("approveInApp")}
        </p>
      )}
      {txId && (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">{t("reference")}</dt>
          <dd>
            <code className="break-all text-slate-800 dark:text-slate-200">{txId}</code>
          </dd>
        </dl>
      )}
      <TryAgainLink c={c} href={retryHref} />
    </div>
  );
}
