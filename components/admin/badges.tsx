const STATUS_TONE: Record<string, string> = {
  pending: "bg-slate-100 text-slate-700 ring-slate-300",
  confirming: "bg-sky-50 text-sky-800 ring-sky-200",
  paid: "bg-indigo-50 text-indigo-800 ring-indigo-200",
  credited: "bg-brand-50 text-brand-800 ring-brand-200",
  forwarded: "bg-brand-50 text-brand-800 ring-brand-200",
  expired: "bg-slate-100 text-slate-600 ring-slate-300",
  failed: "bg-red-50 text-red-800 ring-red-200",
};

const pill = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap";

export function StatusBadge({ status }: { status: string }) {
  return <span className={`${pill} ${STATUS_TONE[status] ?? STATUS_TONE.pending}`}>{status}</span>;
}

export function ExceptionBadge({ exception }: { exception: string | null }) {
  if (!exception) return null;
  return <span className={`${pill} bg-amber-50 text-amber-900 ring-amber-300`}>{exception.replace("_", " ")}</span>;
}

export function AttentionBadge() {
  return <span className={`${pill} bg-red-50 text-red-800 ring-red-200`}>needs attention</span>;
}
