import type { CheckoutView } from "@/lib/checkouts/view";

type Step = { label: string; state: "done" | "current" | "todo" };

/** awaiting payment → seen → confirming n/N → paid, as a list the eye and a screen reader can follow. */
export function statusSteps(c: Pick<CheckoutView, "rail" | "status" | "seenAt" | "confirmations" | "confirmationsRequired" | "receivedAmount">): Step[] {
  const seen = c.receivedAmount !== "0" || c.seenAt !== null;
  const paid = ["paid", "credited", "forwarded"].includes(c.status);
  const credited = c.status === "credited" || c.status === "forwarded";
  if (c.rail !== "btc")
    return [
      { label: "Awaiting payment", state: seen || paid ? "done" : "current" },
      { label: "Processing", state: paid ? "done" : seen ? "current" : "todo" },
      { label: credited ? "Paid · credits added" : "Paid", state: paid ? "done" : "todo" },
    ];
  const n = Math.min(c.confirmations, c.confirmationsRequired);
  return [
    { label: "Awaiting payment", state: seen || paid ? "done" : "current" },
    { label: "Payment seen", state: paid || (seen && n > 0) ? "done" : seen ? "current" : "todo" },
    { label: `Confirming ${n}/${c.confirmationsRequired}`, state: paid ? "done" : seen && n > 0 ? "current" : "todo" },
    { label: credited ? "Paid · credits added" : "Paid", state: paid ? "done" : "todo" },
  ];
}

export function StatusSteps({ steps }: { steps: Step[] }) {
  return (
    <ol className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4" aria-label="Payment progress">
      {steps.map((s) => (
        <li
          key={s.label}
          aria-current={s.state === "current" ? "step" : undefined}
          className={`rounded-lg border px-3 py-2 ${
            s.state === "done"
              ? "border-brand-200 bg-brand-50 text-brand-900"
              : s.state === "current"
                ? "border-sky-300 bg-sky-50 font-semibold text-sky-900"
                : "border-slate-200 bg-white text-slate-500"
          }`}
        >
          <span className="sr-only">{s.state === "done" ? "Done: " : s.state === "current" ? "Now: " : "Next: "}</span>
          {s.label}
        </li>
      ))}
    </ol>
  );
}
