"use client";

import Link from "next/link";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import type { LiveCheckout } from "@/lib/checkouts/live";
import { formatMoney } from "@/lib/format";
import { Countdown } from "../countdown";

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
    <section aria-labelledby="neobank-title" className={`${card} space-y-4 p-5 sm:p-6`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="neobank-title" className="text-base font-semibold text-slate-900">
          NEO Bank
        </h2>
        {sandbox && (
          <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Sandbox — not real money</span>
        )}
      </div>

      <dl className="grid grid-cols-[auto,1fr] gap-x-4 gap-y-2 text-sm">
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

      {c.status === "pending" && paymentUrl && (
        <div className="flex flex-wrap items-center gap-3">
          <a href={paymentUrl} className={buttonPrimary}>
            Continue to NEO Bank
          </a>
          <span className="text-sm text-slate-600">
            Expires in <Countdown until={c.expiresAt} serverTime={c.serverTime} />
          </span>
        </div>
      )}

      {c.status === "failed" && (
        <Link href={retryHref} className={buttonSecondary}>
          Try again
        </Link>
      )}
    </section>
  );
}
