"use client";

import { useActionState, useEffect, useId, useRef } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";

/** What an account form's server action answers. */
export interface AccountFormState {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  /** Bumped per answer so the same message twice still moves focus. */
  at?: number;
}

export interface AccountField {
  name: string;
  label: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  hint?: string;
  defaultValue?: string;
  optional?: boolean;
}

/**
 * A small account form (reset, settings): labelled fields, server-side validation under each
 * field, one submit with a pending state, and focus on the outcome (the first invalid field,
 * or the message). Every text arrives translated from the page.
 */
export function AccountForm({
  action,
  fields,
  hidden = {},
  submit,
  optionalLabel,
  label,
}: {
  action: (prev: AccountFormState, form: FormData) => Promise<AccountFormState>;
  fields: AccountField[];
  hidden?: Record<string, string>;
  submit: string;
  optionalLabel?: string;
  /** Names the form for assistive technology. */
  label: string;
}) {
  const [state, formAction] = useActionState(action, {});
  // Several of these forms share a page (and field names such as currentPassword): unique ids.
  const idPrefix = `f${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const form = useRef<HTMLFormElement>(null);
  const message = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.at === undefined) return;
    const bad = Object.keys(state.fieldErrors ?? {})[0];
    const el = bad ? form.current?.querySelector<HTMLInputElement>(`[name="${bad}"]`) : null;
    if (el) el.focus();
    else message.current?.focus();
    if (state.ok) form.current?.reset();
  }, [state]);
  return (
    <form ref={form} action={formAction} noValidate className="space-y-4" aria-label={label}>
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {state.message && (
        <div ref={message} tabIndex={-1} className="outline-none">
          <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert>
        </div>
      )}
      {fields.map((f) => (
        <FormField
          key={f.name}
          name={f.name}
          label={f.label}
          type={f.type ?? "text"}
          autoComplete={f.autoComplete}
          hint={f.hint}
          optional={f.optional}
          optionalLabel={optionalLabel}
          defaultValue={f.defaultValue}
          errors={state.fieldErrors?.[f.name]}
          idPrefix={idPrefix}
        />
      ))}
      <SubmitButton>{submit}</SubmitButton>
    </form>
  );
}
