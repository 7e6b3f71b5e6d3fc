"use client";

import Link from "next/link";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import type { LiveCheckout } from "@/lib/checkouts/live";
import { formatIlpAmount } from "@/lib/rails/interledger/amounts";
import { Countdown } from "../countdown";

// Interledger: the buyer approves the payment in their own wallet. While the wallet has not
// answered, a link back to the approval page; then live status until the merchant's wallet
// confirms it; a failed payment offers "Try again" (the shared outcome above shows why).
// Facts come from the rail's viewDetails: walletAddress, debit, approveUrl, finished, retryHref, sandbox.

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

function statusText(c: LiveCheckout, finished: boolean): string | null {
  if (c.status === "pending") return finished ? "Your wallet approved the payment, sending…" : "Waiting for your wallet to approve…";
  if (c.status === "confirming") return "Payment sent, confirming…";
  if (c.status === "paid") return "Payment received. Adding your credits…";
  return null;
}

export function InterledgerPanel({ c }: { c: LiveCheckout }) {
  const wallet = str(c.details.walletAddress);
  const debit = str(c.details.debit);
  const approveUrl = str(c.details.approveUrl);
  const retryHref = str(c.details.retryHref) ?? "/";
  const finished = c.details.finished === true;
  const sandbox = c.details.sandbox === true;
  const text = statusText(c, finished);

  return (
    <section aria-labelledby="ilp-title" className={`${card} space-y-4 p-5 sm:p-6`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="ilp-title" className="text-base font-semibold text-slate-900">
          Interledger
        </h2>
        {sandbox && <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Sandbox — not real money</span>}
      </div>

      <dl className="grid grid-cols-[auto,1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-600">Amount</dt>
        <dd className="font-semibold tabular text-slate-900" data-testid="ilp-amount">
          {formatIlpAmount(c.expectedAmount, c.amountUnit)}
          {debit && debit !== formatIlpAmount(c.expectedAmount, c.amountUnit) && <span className="font-normal text-slate-600"> · {debit} from your wallet</span>}
        </dd>
        {wallet && (
          <>
            <dt className="text-slate-600">Your wallet</dt>
            <dd>
              <code className="break-all text-slate-800" data-testid="ilp-wallet">
                {wallet}
              </code>
            </dd>
          </>
        )}
      </dl>

      {text && (
        <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="ilp-status">
          {text}
        </p>
      )}

      {c.status === "pending" && approveUrl && (
        <div className="flex flex-wrap items-center gap-3">
          <a href={approveUrl} className={buttonPrimary}>
            Approve in your wallet
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
