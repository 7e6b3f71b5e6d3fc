import type { InputHTMLAttributes } from "react";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name"> & {
  name: string;
  label: string;
  /** Field error messages from the server; shown under the input and announced with it. */
  errors?: string[] | undefined;
  hint?: string | undefined;
  optional?: boolean;
  /** The word shown beside an optional field's label (translated by the caller). */
  optionalLabel?: string;
  /** Makes the input's id unique when two forms on a page share a field name. */
  idPrefix?: string;
};

/**
 * A labelled input with its hint and error messages bound through aria-describedby, so a
 * screen reader reads "Email, invalid entry, Enter a valid email address." in one go.
 */
export function FormField({ name, label, errors, hint, optional, optionalLabel = "Optional", idPrefix = "field", className, ...input }: Props) {
  const id = `${idPrefix}-${name}`;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const hintId = hint && !errorId ? `${id}-hint` : undefined;
  // "Optional" sits beside the label, not inside it: the field's accessible name stays
  // exactly its label ("Name"), and the word is still announced as its description.
  const optionalId = optional ? `${id}-optional` : undefined;
  const describedBy = [errorId, hintId, optionalId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
          {label}
        </label>
        {optional && (
          <span id={optionalId} className="text-sm text-slate-600 dark:text-slate-400">
            {optionalLabel}
          </span>
        )}
      </div>
      <input
        id={id}
        name={name}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={describedBy}
        className="mt-1.5 block w-full rounded-lg border border-slate-400 bg-white px-3 py-2.5 text-base text-slate-900 shadow-xs placeholder:text-slate-500 focus-visible:border-brand-600 aria-invalid:border-red-600 sm:text-sm dark:border-slate-500 dark:bg-slate-900 dark:text-white"
        {...input}
      />
      {/* The error replaces the hint (it says the same thing, sharper), so nothing is read twice. */}
      {hintId && (
        <p id={hintId} className="mt-1.5 text-sm text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
      {errorId && (
        <div id={errorId} className="mt-1.5 space-y-0.5 text-sm text-red-700 dark:text-red-300">
          {errors!.map((message) => (
            <p key={message} className="flex items-start gap-1.5">
              <svg aria-hidden="true" viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0" fill="currentColor">
                <path
                  fillRule="evenodd"
                  d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
                  clipRule="evenodd"
                />
              </svg>
              <span>{message}</span>
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
