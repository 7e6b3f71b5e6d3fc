import { card } from "@/components/ui";

/** One titled card of the payment detail page (a landmark region named by its heading). */
export function Section({ id, title, className = "", children }: { id: string; title: string; className?: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`${id}-title`} className={`${card} min-w-0 p-5 ${className}`}>
      <h2 id={`${id}-title`} className="mb-3 text-base font-semibold text-slate-900 dark:text-white">
        {title}
      </h2>
      {children}
    </section>
  );
}

export const empty = "text-sm text-slate-600 dark:text-slate-400";
