"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { buttonSecondary } from "@/components/ui";

/** What the claim page's server actions answer. */
export interface ClaimState {
  quote?: { address: string; feeSats: string; fee: string; receive: string; feeRate: string };
  error?: string;
  field?: "address";
  at?: number;
}

type Action = (prev: ClaimState, form: FormData) => Promise<ClaimState>;

export interface ClaimLabels {
  address: string;
  hint: string;
  check: string;
  quoteTitle: string;
  amount: string;
  fee: string;
  receive: string;
  to: string;
  confirm: string;
  change: string;
}

/**
 * The buyer's two steps: an address (checked on the server for the network, nothing stored)
 * → the amount, the network fee and what arrives → confirm. Texts come translated from the page.
 */
export function ClaimForm({
  token,
  network,
  amount,
  labels,
  quoteAction,
  claimAction,
}: {
  token: string;
  network: string;
  amount: string;
  labels: ClaimLabels;
  quoteAction: Action;
  claimAction: Action;
}) {
  const [quoted, quote] = useActionState(quoteAction, {});
  const [claimed, claim] = useActionState(claimAction, {});
  const [editing, setEditing] = useState(true);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (quoted.quote) {
      setEditing(false);
      summary.current?.focus();
    }
  }, [quoted]);

  if (!editing && quoted.quote) {
    const q = quoted.quote;
    return (
      <form action={claim} className="space-y-4" aria-label={labels.quoteTitle}>
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="network" value={network} />
        <input type="hidden" name="address" value={q.address} />
        <input type="hidden" name="feeSats" value={q.feeSats} />
        <div ref={summary} tabIndex={-1} className="outline-none">
          <h2 className="text-base font-semibold text-slate-900 dark:text-white">{labels.quoteTitle}</h2>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600 dark:text-slate-400">{labels.amount}</dt>
            <dd>{amount}</dd>
            <dt className="text-slate-600 dark:text-slate-400">{labels.fee}</dt>
            <dd data-testid="refund-fee">
              {q.fee} ({q.feeRate} sat/vB)
            </dd>
            <dt className="font-medium text-slate-900 dark:text-white">{labels.receive}</dt>
            <dd className="font-medium" data-testid="refund-receive">
              {q.receive}
            </dd>
            <dt className="text-slate-600 dark:text-slate-400">{labels.to}</dt>
            <dd className="break-all font-mono text-xs">{q.address}</dd>
          </dl>
        </div>
        {claimed.error && <Alert tone="error">{claimed.error}</Alert>}
        <div className="flex flex-wrap gap-2">
          <SubmitButton>{labels.confirm}</SubmitButton>
          <button type="button" className={buttonSecondary} onClick={() => setEditing(true)}>
            {labels.change}
          </button>
        </div>
      </form>
    );
  }
  return (
    <form action={quote} noValidate className="space-y-4" aria-label={labels.check}>
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="network" value={network} />
      {quoted.error && !quoted.field && <Alert tone="error">{quoted.error}</Alert>}
      <FormField
        name="address"
        label={labels.address}
        hint={labels.hint}
        errors={quoted.field === "address" && quoted.error ? [quoted.error] : undefined}
        autoComplete="off"
        spellCheck={false}
        defaultValue={quoted.quote?.address}
        required
      />
      <SubmitButton>{labels.check}</SubmitButton>
    </form>
  );
}
