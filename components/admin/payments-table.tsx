import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { textLink } from "@/components/ui";
import type { PaymentPage, PaymentRow, SortKey } from "@/lib/admin/payments";
import { formatBtc, formatDateTime, formatMoney, formatRailAmount } from "@/lib/format";
import { AttentionBadge, ExceptionBadge, StatusBadge } from "./badges";

// The payments table. Paging, sorting and filtering happen on the server: the URL's search
// params are the state, so every view can be bookmarked and shared, and the page renders
// one page of rows (the shared DataTable: a table on wide screens, cards on narrow ones).

const SORTABLE: readonly string[] = ["createdAt", "priceMinor", "credits", "status", "rail", "receivedAmount", "creditedAt"];
const RAIL: Record<string, string> = { btc: "Bitcoin", mpesa: "M-Pesa", interledger: "Interledger", neobank: "NEO Bank" };

/** Short enough for a table cell: BTC without the sats, the others as formatted. */
const short = (amount: string, unit: string) => (unit === "sat" ? formatBtc(amount) : formatRailAmount(amount, unit));

export function PaymentsTable({ data, params }: { data: PaymentPage; params: Record<string, string> }) {
  const sort = (params.sort as SortKey | undefined) ?? "createdAt";
  const dir = params.dir === "asc" ? "asc" : "desc";
  const href = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    return `/admin/payments${s ? `?${s}` : ""}`;
  };
  const sortable = (key: string) =>
    SORTABLE.includes(key)
      ? {
          sortHref: href({ sort: key, dir: key === sort && dir === "desc" ? "asc" : "desc", page: undefined }),
          sorted: key === sort ? (dir === "asc" ? ("ascending" as const) : ("descending" as const)) : undefined,
        }
      : {};

  return (
    <div>
      <DataTable<PaymentRow>
        caption={`Payments, page ${data.page} of ${data.pages}, sorted by ${sort} ${dir === "asc" ? "ascending" : "descending"}`}
        rowKey={(r) => r.id}
        rows={data.rows}
        cardsBelow="lg"
        empty={{ title: "No payments match.", body: "Try a wider date range or clear the filters." }}
        columns={[
          {
            key: "id",
            header: "Checkout",
            primary: true,
            className: "max-w-36",
            cell: (r) => (
              <Link href={`/admin/payments/${r.id}`} className={`${textLink} block truncate font-mono text-xs`} title={r.id}>
                {r.id}
              </Link>
            ),
          },
          {
            key: "createdAt",
            header: "Created",
            className: "whitespace-nowrap",
            cell: (r) => <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>,
            ...sortable("createdAt"),
          },
          {
            key: "email",
            header: "Buyer",
            className: "max-w-48",
            cell: (r) => (
              <span className="block truncate" title={r.email}>
                {r.email}
              </span>
            ),
          },
          { key: "rail", header: "Rail", cell: (r) => RAIL[r.rail] ?? r.rail, ...sortable("rail") },
          {
            key: "status",
            header: "Status",
            cell: (r) => (
              <span className="flex flex-wrap gap-1">
                <StatusBadge status={r.status} />
                <ExceptionBadge exception={r.exception} />
                {r.needsAttention && <AttentionBadge />}
              </span>
            ),
            ...sortable("status"),
          },
          {
            key: "priceMinor",
            header: "Price",
            align: "right",
            className: "whitespace-nowrap",
            cell: (r) => formatMoney(r.priceMinor, r.currency),
            ...sortable("priceMinor"),
          },
          {
            key: "receivedAmount",
            header: "Received",
            align: "right",
            cell: (r) => (
              <span className="whitespace-nowrap">
                {short(r.receivedAmount, r.amountUnit)} <span className="text-slate-600 dark:text-slate-400">of {short(r.expectedAmount, r.amountUnit)}</span>
              </span>
            ),
            ...sortable("receivedAmount"),
          },
          { key: "credits", header: "Credits", align: "right", cell: (r) => r.credits.toLocaleString("en-US"), ...sortable("credits") },
        ]}
      />
      <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700 dark:text-slate-300">
        <p>
          {data.total} {data.total === 1 ? "payment" : "payments"} · page {data.page} of {data.pages}
        </p>
        <div className="flex gap-2">
          {data.page > 1 ? (
            <Link href={href({ page: String(data.page - 1) })} className={textLink}>
              Previous
            </Link>
          ) : (
            <span aria-disabled="true">Previous</span>
          )}
          {data.page < data.pages ? (
            <Link href={href({ page: String(data.page + 1) })} className={textLink}>
              Next
            </Link>
          ) : (
            <span aria-disabled="true">Next</span>
          )}
        </div>
      </nav>
    </div>
  );
}
