import { useTranslations } from "next-intl";
import type { Step } from "./state";

const TONE: Record<Step["state"], string> = {
  done: "border-brand-200 bg-brand-50 text-brand-900 dark:border-brand-800 dark:bg-brand-950 dark:text-brand-100",
  current: "border-sky-400 bg-sky-50 font-semibold text-sky-900 dark:border-sky-600 dark:bg-sky-950 dark:text-sky-100",
  todo: "border-slate-200 bg-white text-slate-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-400",
  error: "border-red-300 bg-red-50 font-semibold text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100",
  warn: "border-amber-300 bg-amber-50 font-semibold text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100",
};

const MARK: Record<Step["state"], string> = { done: "✓", current: "●", todo: "○", error: "✕", warn: "!" };

/** The step tracker: where the checkout is, including how it went wrong (failed, expired, underpaid, paid late). */
export function StatusSteps({ steps, confirming }: { steps: Step[]; confirming: { n: number; of: number } | null }) {
  const t = useTranslations("checkout.steps");
  return (
    <ol className="flex flex-wrap gap-2 text-sm" aria-label={t("label")} data-testid="tracker">
      {steps.map((s) => (
        <li
          key={s.key}
          aria-current={s.state === "current" || s.state === "error" || s.state === "warn" ? "step" : undefined}
          data-step={s.key}
          data-state={s.state}
          className={`flex min-w-0 flex-1 basis-32 items-center gap-2 rounded-lg border px-3 py-2 ${TONE[s.state]}`}
        >
          <span aria-hidden="true">{MARK[s.state]}</span>
          <span className="sr-only">{t(`state.${s.state}`)}: </span>
          <span className="min-w-0">{s.key === "confirming" && confirming ? t("confirmingN", confirming) : t(s.key)}</span>
        </li>
      ))}
    </ol>
  );
}
