import { formatDateTime, formatNumber, formatSignedCredits } from "@/lib/format";

export interface LedgerRow {
  id: string;
  amount: number;
  balanceAfter: number;
  reason: string;
  reference: string | null;
  createdAt: Date;
}

/** A buyer's credit history, newest first, with an empty state for new accounts. */
export function LedgerTable({ entries }: { entries: LedgerRow[] }) {
  if (entries.length === 0)
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
        <p className="font-medium text-slate-900">No credit movements yet.</p>
        <p className="mt-1 text-sm text-slate-600">Credits you buy, spend or get refunded will show up here.</p>
      </div>
    );
  return (
    // Wide tables scroll inside their own box on small screens; the box is focusable so
    // keyboard users can scroll it too.
    <div role="region" aria-labelledby="ledger-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption id="ledger-caption" className="sr-only">
          Credit history, newest first
        </caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-3">
              Date
            </th>
            <th scope="col" className="px-4 py-3">
              Reason
            </th>
            <th scope="col" className="px-4 py-3">
              Reference
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Amount
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Balance after
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {entries.map((e) => (
            <tr key={e.id}>
              <td className="whitespace-nowrap px-4 py-3 text-slate-600">
                <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
              </td>
              <td className="px-4 py-3 capitalize text-slate-900">{e.reason}</td>
              <td className="max-w-48 truncate px-4 py-3 font-mono text-xs text-slate-600" title={e.reference ?? undefined}>
                {e.reference ?? (
                  <>
                    <span aria-hidden="true">—</span>
                    <span className="sr-only">none</span>
                  </>
                )}
              </td>
              <td className={`whitespace-nowrap px-4 py-3 text-right font-semibold tabular ${e.amount < 0 ? "text-red-700" : "text-brand-700"}`}>
                {formatSignedCredits(e.amount)}
              </td>
              <td className="whitespace-nowrap px-4 py-3 text-right tabular text-slate-900">{formatNumber(e.balanceAfter)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
