import Link from "next/link";
import { textLink } from "@/components/ui";
import { formatDateTime, formatMoney } from "@/lib/format";

export interface HistoryRow {
  id: string;
  createdAt: Date;
  rail: string;
  status: string;
  exception: string | null;
  packageName: string;
  credits: number;
  priceMinor: number;
  currency: string;
}

const RAIL: Record<string, string> = { btc: "Bitcoin", mpesa: "M-Pesa", interledger: "Interledger", neobank: "NEO Bank" };

const LABEL: Record<string, string> = {
  pending: "Waiting for payment",
  confirming: "Confirming",
  paid: "Paid",
  credited: "Credited",
  forwarded: "Credited",
  expired: "Expired",
  failed: "Failed",
};

/** The buyer's payments: status, rail, amount, date; a receipt for credited ones, a link back to open ones. */
export function PaymentHistory({ rows }: { rows: HistoryRow[] }) {
  if (rows.length === 0)
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
        <p className="font-medium text-slate-900">No payments yet.</p>
        <p className="mt-1 text-sm text-slate-600">Packages you buy will show up here with their receipts.</p>
      </div>
    );
  return (
    <div role="region" aria-labelledby="payments-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption id="payments-caption" className="sr-only">
          Your payments, newest first
        </caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-4 py-3">
              Date
            </th>
            <th scope="col" className="px-4 py-3">
              Package
            </th>
            <th scope="col" className="px-4 py-3">
              Paid with
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              Amount
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              <span className="sr-only">Links</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => {
            const open = r.status === "pending" || r.status === "confirming";
            const credited = r.status === "credited" || r.status === "forwarded";
            return (
              <tr key={r.id}>
                <td className="whitespace-nowrap px-4 py-3 text-slate-600">
                  <time dateTime={r.createdAt.toISOString()}>{formatDateTime(r.createdAt)}</time>
                </td>
                <td className="px-4 py-3 text-slate-900">
                  {r.packageName} <span className="text-slate-500">({r.credits} credits)</span>
                </td>
                <td className="px-4 py-3 text-slate-700">{RAIL[r.rail] ?? r.rail}</td>
                <td className="whitespace-nowrap px-4 py-3 text-right tabular text-slate-900">{formatMoney(r.priceMinor, r.currency)}</td>
                <td className="px-4 py-3 text-slate-700">
                  {LABEL[r.status] ?? r.status}
                  {r.exception === "underpaid" && !credited && (
                    <span className="block text-xs text-amber-800">Less than the amount due arrived; we will be in touch.</span>
                  )}
                </td>
                <td className="whitespace-nowrap px-4 py-3">
                  {credited ? (
                    <Link href={`/account/receipts/${r.id}`} className={textLink} aria-label={`Receipt for ${r.packageName}, ${formatDateTime(r.createdAt)}`}>
                      Receipt
                    </Link>
                  ) : open ? (
                    <Link href={`/checkout/${r.id}`} className={textLink} aria-label={`Continue paying for ${r.packageName}`}>
                      Continue
                    </Link>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
