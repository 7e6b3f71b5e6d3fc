"use client";

import { createColumnHelper, flexRender, getCoreRowModel, type SortingState, useReactTable } from "@tanstack/react-table";
import Link from "next/link";
import { textLink } from "@/components/ui";
import type { PaymentPage, PaymentRow, SortKey } from "@/lib/admin/payments";
import { formatDateTime, formatMoney } from "@/lib/format";
import { AttentionBadge, ExceptionBadge, StatusBadge } from "./badges";

// The payments table. Paging, sorting and filtering happen on the server: the URL's search
// params are the state, so every view can be bookmarked and shared, and the table only
// renders one page (TanStack Table in manual mode).

const col = createColumnHelper<PaymentRow>();

const SORTABLE: readonly string[] = ["createdAt", "priceMinor", "credits", "status", "rail", "receivedAmount", "creditedAt"];

const columns = [
  col.accessor("createdAt", {
    header: "Created",
    cell: (c) => <time dateTime={c.getValue()}>{formatDateTime(new Date(c.getValue()))}</time>,
  }),
  col.accessor("id", {
    header: "Checkout",
    enableSorting: false,
    cell: (c) => (
      <Link href={`/admin/payments/${c.getValue()}`} className={`${textLink} font-mono text-xs`}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor("email", {
    header: "Buyer",
    enableSorting: false,
    cell: (c) => (
      <span className="block max-w-48 truncate" title={c.getValue()}>
        {c.getValue()}
      </span>
    ),
  }),
  col.accessor("rail", { header: "Rail" }),
  col.accessor("status", {
    header: "Status",
    cell: (c) => (
      <span className="flex flex-wrap gap-1">
        <StatusBadge status={c.getValue()} />
        <ExceptionBadge exception={c.row.original.exception} />
        {c.row.original.needsAttention && <AttentionBadge />}
      </span>
    ),
  }),
  col.accessor("priceMinor", { header: "Price", cell: (c) => <span className="tabular">{formatMoney(c.getValue(), c.row.original.currency)}</span> }),
  col.accessor("receivedAmount", {
    header: "Received",
    cell: (c) => (
      <span className="tabular">
        {c.getValue()} / {c.row.original.expectedAmount} {c.row.original.amountUnit}
      </span>
    ),
  }),
  col.accessor("credits", { header: "Credits", cell: (c) => <span className="tabular">{c.getValue()}</span> }),
];

export function PaymentsTable({ data, params }: { data: PaymentPage; params: Record<string, string> }) {
  const sort = (params.sort as SortKey | undefined) ?? "createdAt";
  const dir = params.dir === "asc" ? "asc" : "desc";
  const sorting: SortingState = [{ id: sort, desc: dir === "desc" }];
  const table = useReactTable({
    data: data.rows,
    columns,
    state: { sorting, pagination: { pageIndex: data.page - 1, pageSize: data.size } },
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    pageCount: data.pages,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => r.id,
  });

  const href = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    return `/admin/payments${s ? `?${s}` : ""}`;
  };

  if (data.total === 0)
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center">
        <p className="font-medium text-slate-900">No payments match.</p>
        <p className="mt-1 text-sm text-slate-600">Try a wider date range or clear the filters.</p>
      </div>
    );

  return (
    <div>
      <div role="region" aria-labelledby="payments-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full min-w-[56rem] text-left text-sm">
          <caption id="payments-caption" className="sr-only">
            Payments, page {data.page} of {data.pages}, sorted by {sort} {dir === "asc" ? "ascending" : "descending"}
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const key = h.column.id;
                  const sortable = SORTABLE.includes(key) && h.column.getCanSort();
                  const active = key === sort;
                  return (
                    <th key={h.id} scope="col" className="px-4 py-3" aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}>
                      {sortable ? (
                        <Link
                          href={href({ sort: key, dir: active && dir === "desc" ? "asc" : "desc", page: undefined })}
                          className="inline-flex items-center gap-1 hover:text-slate-900"
                        >
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden="true">{active ? (dir === "asc" ? "▲" : "▼") : "↕"}</span>
                        </Link>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="whitespace-nowrap px-4 py-3 text-slate-800">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
        <p>
          {data.total} {data.total === 1 ? "payment" : "payments"} · page {data.page} of {data.pages}
        </p>
        <div className="flex gap-2">
          {data.page > 1 ? (
            <Link href={href({ page: String(data.page - 1) })} className={textLink}>
              Previous
            </Link>
          ) : (
            <span className="text-slate-400">Previous</span>
          )}
          {data.page < data.pages ? (
            <Link href={href({ page: String(data.page + 1) })} className={textLink}>
              Next
            </Link>
          ) : (
            <span className="text-slate-400">Next</span>
          )}
        </div>
      </nav>
    </div>
  );
}
