"use client";

import type { LiveCheckout } from "@/lib/lifecycle/live";
import { formatIlpAmount } from "@/lib/rails/interledger/amounts";
import { ContinueAtProvider, RailPanel, TryAgainLink } from "./rail-panel";

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
    <RailPanel id="ilp-title" title="Interledger" sandbox={sandbox}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-600">Amount</dt>
        <dd className="font-semibold tabular text-slate-900" data-testid="ilp-amount">
          {formatIlpAmount(c.expectedAmount, c.amountUnit)}
          {debit && debit !== formatIlpAmount(c.expectedAmount, c.amountUnit) && (
            <span className="font-normal text-slate-600"> · {debit} from your wallet</span>
          )}
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

      <ContinueAtProvider c={c} href={approveUrl} label="Approve in your wallet" />

      <TryAgainLink c={c} href={retryHref} />
    </RailPanel>
  );
}
