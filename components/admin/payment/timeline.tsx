import type { PaymentDetail } from "@/lib/admin/detail";
import { formatDateTime } from "@/lib/format";
import { Section } from "./section";

/** Every status change, who or what caused it, and why. */
export function PaymentTimeline({ d }: { d: PaymentDetail }) {
  return (
    <Section id="timeline" title="Timeline" className="lg:col-span-3">
      <ol className="relative space-y-4 border-l border-slate-200 pl-5 dark:border-slate-700">
        {d.checkout.events.map((e) => (
          <li key={e.id} className="relative">
            <span
              aria-hidden="true"
              className="absolute -left-[1.6rem] top-1.5 size-2.5 rounded-full border-2 border-white bg-brand-600 dark:border-slate-900"
            />
            <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
              <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
              <span className="rounded bg-slate-100 px-1.5 py-0.5 font-medium text-slate-800 dark:bg-slate-800 dark:text-slate-200">{e.cause}</span>
              <span>
                {e.fromStatus ? `${e.fromStatus} → ` : ""}
                {e.toStatus}
                {e.exception ? ` (${e.exception.replace("_", " ")})` : ""}
              </span>
            </p>
            <p className="mt-0.5 text-sm text-slate-900 dark:text-white">{e.message}</p>
          </li>
        ))}
      </ol>
    </Section>
  );
}
