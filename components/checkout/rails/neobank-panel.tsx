"use client";

import { formatMoney } from "@/lib/format";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { ContinueAtProvider, RailPanel, TryAgainLink } from "./rail-panel";

// NEO Bank: the buyer pays on the gateway's page. While the checkout waits, a link back to
// that page; then what the gateway last said, live; a failed payment offers "Try again"
// (the shared outcome above shows the gateway's reason). Facts come from the rail's
// viewDetails: paymentUrl, gatewayStatus, gatewayTxId, retryHref, sandbox.

const STATUS_TEXT: Record<string, string> = {
  CREATED: "Waiting for you to approve the payment at NEO Bank.",
  PENDING: "NEO Bank is processing your payment — you can close this page; your credits will still arrive.",
  SUCCESS: "NEO Bank confirmed your payment.",
  SETTLED: "NEO Bank settled your payment.",
  FAILED: "NEO Bank did not complete the payment.",
};

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

export function NeobankPanel({ c }: { c: LiveCheckout }) {
  const paymentUrl = str(c.details.paymentUrl);
  const gatewayStatus = str(c.details.gatewayStatus);
  const txId = str(c.details.gatewayTxId);
  const retryHref = str(c.details.retryHref) ?? "/";
  const sandbox = c.details.sandbox === true;

  return (
    <RailPanel id="neobank-title" title="NEO Bank" sandbox={sandbox}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-600">Amount</dt>
        <dd className="font-semibold tabular text-slate-900">{formatMoney(c.priceMinor, c.currency)}</dd>
        {txId && (
          <>
            <dt className="text-slate-600">Gateway reference</dt>
            <dd>
              <code className="break-all text-slate-800">{txId}</code>
            </dd>
          </>
        )}
      </dl>

      {c.open && gatewayStatus && (
        <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="neobank-status">
          {STATUS_TEXT[gatewayStatus] ?? `NEO Bank status: ${gatewayStatus}`}
        </p>
      )}

      <ContinueAtProvider c={c} href={paymentUrl} label="Continue to NEO Bank" />

      <TryAgainLink c={c} href={retryHref} />
    </RailPanel>
  );
}
