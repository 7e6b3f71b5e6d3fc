"use client";

import { useActionState } from "react";
import type { StartState } from "@/app/buy/[slug]/actions";
import { Alert } from "@/components/alert";
import { SandboxBadge } from "@/components/checkout/rails/rail-panel";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";

export interface RailOption {
  rail: string;
  label: string;
  hint: string;
  sandbox: boolean;
  fields: { name: string; label: string; type: "tel" | "url" | "text"; hint?: string; required: boolean }[];
}

/** One form per configured rail; each starts a checkout for the package on that rail. */
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
      {rails.map((r) => (
        <form key={r.rail} action={formAction} className="space-y-3 rounded-xl border border-slate-200 p-4" aria-label={`Pay with ${r.label}`}>
          <input type="hidden" name="packageId" value={packageId} />
          <input type="hidden" name="rail" value={r.rail} />
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div>
              <p className="font-semibold text-slate-900">
                {r.label}
                {r.sandbox && <SandboxBadge className="ml-2 align-middle" />}
              </p>
              <p className="text-sm text-slate-600">{r.hint}</p>
            </div>
            {r.fields.length === 0 && <SubmitButton>{`Pay with ${r.label}`}</SubmitButton>}
          </div>
          {state.error && state.rail === r.rail && <Alert tone="error">{state.error}</Alert>}
          {r.fields.length > 0 && (
            <div className="flex flex-wrap items-end gap-3">
              {r.fields.map((f) => (
                <FormField
                  key={f.name}
                  name={f.name}
                  label={f.label}
                  type={f.type}
                  hint={f.hint}
                  required={f.required}
                  defaultValue={state.rail === r.rail ? state.values?.[f.name] : undefined}
                  className="min-w-56 flex-1"
                />
              ))}
              <SubmitButton>{`Pay with ${r.label}`}</SubmitButton>
            </div>
          )}
        </form>
      ))}
    </div>
  );
}
