"use client";

import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import type { StartState } from "@/app/buy/[slug]/actions";

export interface RailOption {
  rail: string;
  label: string;
  hint: string;
}

/** One button per configured rail; each starts a checkout for the package on that rail. */
export function RailPicker({
  packageId,
  rails,
  action,
}: {
  packageId: string;
  rails: RailOption[];
  action: (prev: StartState, form: FormData) => Promise<StartState>;
}) {
  const [state, formAction] = useActionState(action, {});
  if (rails.length === 0) return <Alert tone="info">No payment method is configured yet. Please check back later.</Alert>;
  return (
    <div className="space-y-3">
      {state.error && <Alert tone="error">{state.error}</Alert>}
      {rails.map((r) => (
        <form key={r.rail} action={formAction} className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-slate-200 p-4">
          <input type="hidden" name="packageId" value={packageId} />
          <input type="hidden" name="rail" value={r.rail} />
          <div>
            <p className="font-semibold text-slate-900">{r.label}</p>
            <p className="text-sm text-slate-600">{r.hint}</p>
          </div>
          <SubmitButton>{`Pay with ${r.label}`}</SubmitButton>
        </form>
      ))}
    </div>
  );
}
