"use client";

import { useLocale, useTranslations } from "next-intl";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/alert";
import { SandboxBadge } from "@/components/checkout/rails/rail-panel";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { formatRailAmount } from "@/lib/format";

export interface RailOption {
  rail: string;
  label: string;
  sandbox: boolean;
  fields: { name: string; label: string; type: "tel" | "url" | "text"; hint?: string; required: boolean }[];
  /** The price in the rail's own currency where it differs from the package's (M-Pesa: KES). */
  price: { amount: string; unit: string } | null;
  /** False while the rail's backend is down: shown, but not selectable. */
  available: boolean;
}

/** What the start-checkout action answers when it does not redirect. */
export interface StartState {
  /** A message about the whole form. */
  error?: string;
  /** Messages per field of the chosen rail. */
  fieldErrors?: Record<string, string>;
  /** Which rail the answer belongs to, and what the buyer typed there. */
  rail?: string;
  values?: Record<string, string>;
}

/**
 * The way to pay as one list of choices with a single primary action (Stripe Checkout's
 * pattern): pick a rail, fill in what it needs (shown only for the chosen rail), pay.
 * Validation comes back from the server under the field it concerns, and focus moves there.
 */
export function RailPicker({
  packageId,
  price,
  rails,
  action,
  initial,
}: {
  packageId: string;
  /** The package price, formatted. */
  price: string;
  rails: RailOption[];
  action: (prev: StartState, form: FormData) => Promise<StartState>;
  /** Preselected rail and values (after "Try again"). */
  initial?: { rail?: string; values?: Record<string, string> };
}) {
  const t = useTranslations("buy");
  const locale = useLocale();
  const [state, formAction] = useActionState(action, {});
  const open = rails.filter((r) => r.available);
  const firstRail = open.find((r) => r.rail === initial?.rail)?.rail ?? open[0]?.rail ?? "";
  const [chosen, setChosen] = useState(firstRail);
  const errorRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!state.rail) return;
    setChosen(state.rail);
    const field = Object.keys(state.fieldErrors ?? {})[0];
    const el = field ? formRef.current?.querySelector<HTMLInputElement>(`[name="${field}"]`) : null;
    if (el) el.focus();
    else errorRef.current?.focus();
  }, [state]);

  if (rails.length === 0) return <Alert tone="info">{t("noRails")}</Alert>;
  if (open.length === 0) return <Alert tone="info">{t("railDown")}</Alert>;
  const rail = (open.find((r) => r.rail === chosen) ?? open[0])!;
  const values = state.rail === rail.rail ? state.values : initial?.rail === rail.rail ? initial.values : undefined;
  const label = (r: RailOption, f: RailOption["fields"][number], part: "label" | "hint") => {
    const key = `fields.${r.rail}.${f.name}.${part}`;
    return t.has(key) ? t(key, { example: f.hint?.match(/https?:\/\/\S+/)?.[0] ?? "" }) : part === "label" ? f.label : f.hint;
  };
  const required = rail.fields.filter((f) => f.required);
  const optional = rail.fields.filter((f) => !f.required);

  return (
    <form ref={formRef} action={formAction} noValidate className="space-y-5" aria-label={t("formLabel")}>
      <input type="hidden" name="packageId" value={packageId} />
      <fieldset>
        <legend className="mb-3 text-base font-semibold text-slate-900 dark:text-white">{t("how")}</legend>
        <div className="space-y-2">
          {rails.map((r) => (
            <label
              key={r.rail}
              data-unavailable={r.available ? undefined : "true"}
              className="flex cursor-pointer items-start data-unavailable:cursor-not-allowed data-unavailable:opacity-60 gap-3 rounded-xl border border-slate-300 p-4 has-checked:border-brand-700 has-checked:bg-brand-50 has-checked:ring-1 has-checked:ring-brand-700 dark:border-slate-600 dark:has-checked:bg-brand-950"
            >
              <input
                type="radio"
                name="rail"
                value={r.rail}
                checked={r.available && chosen === r.rail}
                disabled={!r.available}
                onChange={() => setChosen(r.rail)}
                className="mt-1 size-4 accent-brand-700"
              />
              <span className="min-w-0 flex-1">
                <span className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1">
                  <span className="font-semibold text-slate-900 dark:text-white">{t(`rails.${r.rail}.label`)}</span>
                  <span className="tabular text-sm font-medium text-slate-800 dark:text-slate-200" data-testid={`price-${r.rail}`}>
                    {r.price ? formatRailAmount(r.price.amount, r.price.unit, locale) : price}
                  </span>
                </span>
                <span className="block text-sm text-slate-600 dark:text-slate-400">{r.available ? t(`rails.${r.rail}.hint`) : t("railDown")}</span>
                {r.sandbox && <SandboxBadge className="mt-1" label={t("sandbox")} />}
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      {state.error && state.rail === rail.rail && (
        <div ref={errorRef} tabIndex={-1} className="outline-none">
          <Alert tone="error">{state.error}</Alert>
        </div>
      )}

      {required.map((f) => (
        <FormField
          key={`${rail.rail}-${f.name}`}
          name={f.name}
          label={label(rail, f, "label") ?? f.label}
          type={f.type}
          hint={label(rail, f, "hint")}
          required
          errors={state.rail === rail.rail && state.fieldErrors?.[f.name] ? [state.fieldErrors[f.name]!] : undefined}
          defaultValue={values?.[f.name]}
          autoComplete={f.type === "tel" ? "tel" : "off"}
          inputMode={f.type === "tel" ? "tel" : f.type === "url" ? "url" : undefined}
        />
      ))}
      {optional.length > 0 && (
        <details
          className="rounded-xl border border-slate-200 p-4 dark:border-slate-700"
          open={optional.some((f) => values?.[f.name] || state.fieldErrors?.[f.name])}
        >
          <summary className="cursor-pointer text-sm font-medium text-slate-800 dark:text-slate-200">{t(`optional.${rail.rail}`)}</summary>
          <div className="mt-3 space-y-3">
            {optional.map((f) => (
              <FormField
                key={`${rail.rail}-${f.name}`}
                name={f.name}
                label={label(rail, f, "label") ?? f.label}
                type={f.type}
                hint={label(rail, f, "hint")}
                optional
                optionalLabel={t("optionalWord")}
                errors={state.rail === rail.rail && state.fieldErrors?.[f.name] ? [state.fieldErrors[f.name]!] : undefined}
                defaultValue={values?.[f.name]}
                autoComplete="off"
              />
            ))}
          </div>
        </details>
      )}

      <SubmitButton className="w-full">{t("pay", { rail: t(`rails.${rail.rail}.label`) })}</SubmitButton>
      <p className="text-center text-xs text-slate-600 dark:text-slate-400">{t("locked")}</p>
    </form>
  );
}
