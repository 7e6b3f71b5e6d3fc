"use client";

import { useActionState, useId, useState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import type { ActionState, AdminAction } from "./action-dialog";

const input = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs";
const label = "block text-xs font-medium text-slate-700";

const SCOPES = [
  { value: "read", hint: "packages, customers, balances, ledgers, events, checkout sessions" },
  { value: "checkouts:write", hint: "create checkout sessions" },
  { value: "credits:write", hint: "create customers, spend and grant credits" },
  { value: "webhooks:write", hint: "create, rotate and delete webhook endpoints" },
] as const;

/** Creates an API key; the secret comes back once and is shown here, never again. */
export function ApiKeyForm({ action }: { action: AdminAction }) {
  const [state, formAction] = useActionState<ActionState, FormData>(action, {});
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [seen, setSeen] = useState<number | undefined>(undefined);
  const id = useId();
  if (state.at !== seen) {
    setSeen(state.at);
    if (state.ok) setRequestId(crypto.randomUUID());
  }
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="requestId" value={requestId} />
      <input type="hidden" name="reason" value="API key created" />
      <div className="grid gap-3 sm:grid-cols-3">
        <div className="sm:col-span-2">
          <label htmlFor={`${id}-name`} className={label}>
            Name (which app uses it)
          </label>
          <input id={`${id}-name`} name="name" required maxLength={80} className={input} />
        </div>
        <div>
          <label htmlFor={`${id}-rate`} className={label}>
            Requests per minute
          </label>
          <input id={`${id}-rate`} name="rateLimitPerMinute" type="number" min={1} max={100000} step={1} defaultValue={600} className={input} />
        </div>
      </div>
      <fieldset>
        <legend className={label}>Scopes</legend>
        <div className="mt-1 space-y-1">
          {SCOPES.map((s) => (
            <label key={s.value} className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" name="scopes" value={s.value} defaultChecked={s.value === "read"} />
              <code>{s.value}</code> <span className="text-slate-600">— {s.hint}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <SubmitButton>Create key</SubmitButton>
      {state.message && <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert>}
      {state.ok && state.secret && (
        <div className="space-y-1">
          <label htmlFor={`${id}-secret`} className={label}>
            The new key (shown only now)
          </label>
          <input id={`${id}-secret`} readOnly value={state.secret} className={`${input} font-mono`} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
    </form>
  );
}
