"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { SandboxBadge } from "./rail-panel";

// M-Pesa Express: the prompt is on the buyer's phone. While it waits, what to do there; the
// live status comes from the page's polling. A failed payment (its plain-language reason is
// in the shared outcome above) offers "Try again": a fresh prompt to the same phone for the
// same package. With the local sandbox, the "buyer's phone" is the panel below.
// Facts come from the rail's viewDetails: phoneMasked, amountKes, receiptNumber, localSandbox,
// testMoney, prompted.

const kes = (n: number) => `KES ${n.toLocaleString("en-US")}`;

async function post(url: string, body?: object): Promise<{ url?: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `status ${res.status}`);
  return json ?? {};
}

export function MpesaPanel({ c }: { c: LiveCheckout }) {
  const d = c.details;
  const phone = typeof d.phoneMasked === "string" ? d.phoneMasked : "your phone";
  const amount = typeof d.amountKes === "number" ? d.amountKes : Number(c.expectedAmount);
  const receipt = typeof d.receiptNumber === "string" ? d.receiptNumber : null;
  const router = useRouter();
  const qc = useQueryClient();

  const retry = useMutation({
    mutationFn: () => post(`/api/checkouts/${c.id}/mpesa/retry`),
    onSuccess: (r) => router.push(r.url ?? "/"),
  });
  const act = useMutation({
    mutationFn: (action: string) => post(`/api/checkouts/${c.id}/mpesa/sandbox`, { action }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["checkout", c.id] }),
  });

  return (
    <section aria-labelledby="mpesa-title" className={`${card} space-y-4 p-5 sm:p-6`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="mpesa-title" className="text-base font-semibold text-slate-900">
          M-Pesa
        </h2>
        {d.testMoney === true && <SandboxBadge />}
      </div>

      {c.open && d.prompted === true && (
        <p role="status" aria-live="polite" className="text-slate-800" data-testid="mpesa-instructions">
          Check your phone ({phone}) and enter your M-Pesa PIN to pay <strong className="font-semibold tabular">{kes(amount)}</strong>.
          <span className="mt-1 block text-sm text-slate-600">This page updates by itself once M-Pesa confirms.</span>
        </p>
      )}

      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-600">Amount</dt>
        <dd className="font-semibold tabular text-slate-900">{kes(amount)}</dd>
        <dt className="text-slate-600">Phone</dt>
        <dd className="tabular text-slate-900">{phone}</dd>
        {receipt && (
          <>
            <dt className="text-slate-600">M-Pesa receipt</dt>
            <dd>
              <code className="text-slate-900" data-testid="mpesa-receipt">
                {receipt}
              </code>
            </dd>
          </>
        )}
      </dl>

      {(c.status === "failed" || c.status === "expired") && (
        <div className="space-y-2">
          <button type="button" className={buttonPrimary} disabled={retry.isPending} onClick={() => retry.mutate()}>
            {retry.isPending ? "Sending a new prompt…" : "Try again"}
          </button>
          {retry.isError && (
            <p role="alert" className="text-sm text-red-700">
              {retry.error.message}
            </p>
          )}
        </div>
      )}

      {d.localSandbox === true && c.open && d.prompted === true && (
        <section aria-labelledby="mpesa-sandbox-title" className="rounded-xl border border-dashed border-amber-300 bg-amber-50 p-4">
          <h3 id="mpesa-sandbox-title" className="text-sm font-semibold text-amber-900">
            Sandbox — not real money: the buyer&apos;s phone
          </h3>
          <div className="mt-3 flex flex-wrap gap-2">
            <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate("approve")}>
              Approve on phone
            </button>
            <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate("cancel")}>
              Cancel on phone
            </button>
            <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate("wrong_pin")}>
              Wrong PIN
            </button>
            <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate("insufficient_funds")}>
              Insufficient funds
            </button>
          </div>
          {act.isError && (
            <p role="alert" className="mt-2 text-sm text-red-700">
              {act.error.message}
            </p>
          )}
        </section>
      )}
    </section>
  );
}
