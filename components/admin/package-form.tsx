"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import type { ActionState, AdminAction } from "./action-dialog";

const input = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs";
const label = "block text-xs font-medium text-slate-700";

export interface PackageValues {
  id?: string;
  name: string;
  slug: string;
  credits: number | string;
  priceMinor: number | string;
  currency: string;
}

/** Create or edit a package. Edits apply to new checkouts only: existing ones keep their snapshot. */
export function PackageForm({ action, values, submitLabel }: { action: AdminAction; values: PackageValues; submitLabel: string }) {
  const [state, formAction] = useActionState<ActionState, FormData>(action, {});
  // A fresh request id per successful save, so the next save is a new action.
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [seen, setSeen] = useState<number | undefined>(undefined);
  if (state.at !== seen) {
    setSeen(state.at);
    if (state.ok) setRequestId(crypto.randomUUID());
  }
  const p = values.id ?? "new";
  return (
    <form action={formAction} className="grid grid-cols-2 gap-3 sm:grid-cols-6">
      <input type="hidden" name="requestId" value={requestId} />
      {values.id && <input type="hidden" name="packageId" value={values.id} />}
      <div className="col-span-2">
        <label htmlFor={`name-${p}`} className={label}>
          Name
        </label>
        <input id={`name-${p}`} name="name" required maxLength={60} defaultValue={values.name} className={input} />
      </div>
      <div>
        <label htmlFor={`slug-${p}`} className={label}>
          Slug
        </label>
        <input id={`slug-${p}`} name="slug" required maxLength={40} pattern="[a-z0-9]+(-[a-z0-9]+)*" defaultValue={values.slug} className={input} />
      </div>
      <div>
        <label htmlFor={`credits-${p}`} className={label}>
          Credits
        </label>
        <input id={`credits-${p}`} name="credits" type="number" min={1} step={1} required defaultValue={values.credits} className={input} />
      </div>
      <div>
        <label htmlFor={`price-${p}`} className={label}>
          Price (minor units)
        </label>
        <input id={`price-${p}`} name="priceMinor" type="number" min={1} step={1} required defaultValue={values.priceMinor} className={input} />
      </div>
      <div>
        <label htmlFor={`currency-${p}`} className={label}>
          Currency
        </label>
        <input id={`currency-${p}`} name="currency" required maxLength={3} defaultValue={values.currency} className={`${input} uppercase`} />
      </div>
      <input type="hidden" name="reason" value={values.id ? "package edited" : "package created"} />
      <div className="col-span-2 flex items-center gap-3 sm:col-span-6">
        <SubmitButton>{submitLabel}</SubmitButton>
        {state.message && (
          <div className="flex-1">
            <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert>
          </div>
        )}
      </div>
    </form>
  );
}
