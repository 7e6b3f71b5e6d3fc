"use client";

import { useActionState, useEffect, useId, useRef, useState } from "react";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import { buttonPrimary, buttonSecondary } from "@/components/ui";

export interface ActionState {
  ok?: boolean;
  message?: string;
  /** Bumped per response so the same message twice still shows. */
  at?: number;
  /** A secret to show once (a new API key). */
  secret?: string;
}

export type AdminAction = (prev: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  action: AdminAction;
  /** The button that opens the dialog. */
  label: string;
  title: string;
  description: React.ReactNode;
  confirmLabel?: string;
  hidden?: Record<string, string>;
  /** Prefilled (and still required) reason, so a routine resolution is one confirm away. */
  reason?: string;
  tone?: "primary" | "danger" | "secondary";
  /** Extra fields (an amount, say) rendered above the reason. */
  children?: React.ReactNode;
}

const danger =
  "inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2.5 text-sm font-semibold transition-colors bg-red-700 text-white shadow-sm hover:bg-red-800 disabled:opacity-60";

/**
 * An admin action behind a confirmation: a native <dialog> (focus trap, Escape, inert page)
 * with a required reason. Each opening gets a fresh request id, which the server uses as the
 * audit row's id, so a double submit is one action.
 */
export function ActionDialog({ action, label, title, description, confirmLabel = "Confirm", hidden = {}, reason = "", tone = "secondary", children }: Props) {
  const [state, formAction] = useActionState(action, {});
  const [requestId, setRequestId] = useState("");
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reasonId = useId();
  const lastAt = useRef<number | undefined>(undefined);

  useEffect(() => {
    if (state.at !== undefined && state.at !== lastAt.current) {
      lastAt.current = state.at;
      if (state.ok) dialog.current?.close();
    }
  }, [state]);

  const open = () => {
    setRequestId(crypto.randomUUID());
    dialog.current?.showModal();
  };

  const opener = tone === "primary" ? buttonPrimary : tone === "danger" ? danger : buttonSecondary;
  return (
    <div>
      <button type="button" className={opener} onClick={open}>
        {label}
      </button>
      {state.message && state.ok && (
        <div className="mt-2">
          <Alert tone="success">{state.message}</Alert>
        </div>
      )}
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-lg rounded-2xl border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <form action={formAction} className="space-y-4 p-6">
          <h2 id={titleId} className="text-lg font-semibold text-slate-900">
            {title}
          </h2>
          <div className="text-sm text-slate-600">{description}</div>
          <input type="hidden" name="requestId" value={requestId} />
          {Object.entries(hidden).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          {children}
          <div>
            <label htmlFor={reasonId} className="block text-sm font-medium text-slate-800">
              Reason
            </label>
            <textarea
              id={reasonId}
              name="reason"
              required
              minLength={3}
              maxLength={500}
              rows={2}
              defaultValue={reason}
              className="mt-1.5 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm text-slate-900 shadow-xs focus-visible:border-brand-600"
            />
            <p className="mt-1 text-xs text-slate-500">Recorded in the audit log with your name.</p>
          </div>
          {state.message && !state.ok && <Alert tone="error">{state.message}</Alert>}
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonSecondary} onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <SubmitButton className={tone === "danger" ? "bg-red-700 hover:bg-red-800" : ""}>{confirmLabel}</SubmitButton>
          </div>
        </form>
      </dialog>
    </div>
  );
}
