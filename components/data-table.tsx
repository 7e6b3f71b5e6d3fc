import Link from "next/link";

// The one table every list page uses (buyer history, admin payments, users, webhooks, audit,
// outbox). Wide screens get a real <table> whose key columns stay visible; narrow screens get
// the same rows as cards (a definition list per row), so nothing scrolls sideways. Server
// component: no client JavaScript. Sorting, when a column allows it, is a link (the URL
// holds the state, so every view can be bookmarked).

export interface Column<R> {
  key: string;
  header: string;
  cell: (row: R) => React.ReactNode;
  align?: "left" | "right";
  /** Hidden below this width in the table view (still shown on the cards). */
  hideBelow?: "lg" | "xl";
  /** Extra classes for the table cell (truncation, nowrap…). */
  className?: string;
  /** The card's title line on narrow screens (one column should have it). */
  primary?: boolean;
  /** A sort link for this column's header. */
  sortHref?: string;
  /** This column is the current sort. */
  sorted?: "ascending" | "descending";
}

export interface DataTableProps<R> {
  /** Names the table for assistive technology (and the region around it). */
  caption: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R) => string;
  empty: { title: string; body?: string };
  /** Switch to cards below this width (default md). */
  cardsBelow?: "md" | "lg";
  testId?: string;
}

const hide = { lg: "hidden lg:table-cell", xl: "hidden xl:table-cell" } as const;

export function DataTable<R>({ caption, columns, rows, rowKey, empty, cardsBelow = "md", testId }: DataTableProps<R>) {
  if (rows.length === 0)
    return (
      <div
        className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center dark:border-slate-700 dark:bg-slate-900"
        data-testid={testId}
      >
        <p className="font-medium text-slate-900 dark:text-white">{empty.title}</p>
        {empty.body && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{empty.body}</p>}
      </div>
    );
  const id = `t-${caption.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
  const tableShown = cardsBelow === "md" ? "hidden md:block" : "hidden lg:block";
  const cardsShown = cardsBelow === "md" ? "md:hidden" : "lg:hidden";
  const primary = columns.find((c) => c.primary) ?? columns[0]!;
  return (
    <div data-testid={testId}>
      <section
        aria-labelledby={`${id}-caption`}
        className={`${tableShown} overflow-hidden rounded-xl border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900`}
      >
        <table className="w-full table-auto text-left text-sm">
          <caption id={`${id}-caption`} className="sr-only">
            {caption}
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-700 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300">
            <tr>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  aria-sort={c.sorted}
                  className={`px-3 py-3 ${c.align === "right" ? "text-right" : ""} ${c.hideBelow ? hide[c.hideBelow] : ""}`}
                >
                  {c.sortHref ? (
                    <Link href={c.sortHref} className="inline-flex items-center gap-1 hover:text-slate-900 dark:hover:text-white">
                      {c.header}
                      <span aria-hidden="true">{c.sorted === "ascending" ? "▲" : c.sorted === "descending" ? "▼" : "↕"}</span>
                    </Link>
                  ) : (
                    c.header
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {rows.map((r) => (
              <tr key={rowKey(r)} className="align-top hover:bg-slate-50 dark:hover:bg-slate-800/60">
                {columns.map((c) => (
                  <td
                    key={c.key}
                    className={`px-3 py-3 text-slate-800 dark:text-slate-200 ${c.align === "right" ? "text-right tabular" : ""} ${c.hideBelow ? hide[c.hideBelow] : ""} ${c.className ?? ""}`}
                  >
                    {c.cell(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <ul aria-label={caption} className={`${cardsShown} space-y-3`}>
        {rows.map((r) => (
          <li key={rowKey(r)} className="rounded-xl border border-slate-200 bg-white p-4 text-sm dark:border-slate-700 dark:bg-slate-900">
            <div className="mb-2 min-w-0 break-words font-medium text-slate-900 dark:text-white">{primary.cell(r)}</div>
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1.5">
              {columns
                .filter((c) => c !== primary)
                .map((c) => (
                  <div key={c.key} className="contents">
                    <dt className="text-slate-600 dark:text-slate-400">{c.header}</dt>
                    <dd className="min-w-0 break-words text-slate-900 dark:text-slate-100">{c.cell(r)}</dd>
                  </div>
                ))}
            </dl>
          </li>
        ))}
      </ul>
    </div>
  );
}
