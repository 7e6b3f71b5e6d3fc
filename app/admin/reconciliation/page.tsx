import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/alert";
import { DataTable } from "@/components/data-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, buttonSecondary, textLink } from "@/components/ui";
import { DIFFERENCE_LABEL, parseReconciliationQuery, periodOf, type ReconciliationQuery, railName, reconciliationReport } from "@/lib/admin/reconciliation";
import { requireAdminPage } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { formatDateTime, formatNumber, formatRailAmount } from "@/lib/format";

export const metadata: Metadata = { title: "Reconciliation" };
export const dynamic = "force-dynamic";

const RAILS = [
  ["btc", "Bitcoin"],
  ["mpesa", "M-Pesa"],
  ["neobank", "NEO Bank"],
  ["interledger", "Interledger"],
] as const;

const input =
  "mt-1 block w-full rounded-lg border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 dark:border-slate-500 dark:bg-slate-900 dark:text-white";
const labelCls = "block text-xs font-medium text-slate-700 dark:text-slate-300";
const amount = (v: bigint | number | string, unit: string) => formatRailAmount(v, unit);
const day = (d: Date) => d.toISOString().slice(0, 10);

// /admin/reconciliation — the reconciliation report (lib/admin/reconciliation.ts) for a period:
// per rail, received (the chain, the providers) against credited, forwarded, refunded, open
// exceptions and in progress; the ledger proof; and every difference with its link. Computed on
// each visit (every handed-out Bitcoin address of the period is asked of the chain backend).
export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/reconciliation");
  const sp = await searchParams;
  let query: ReconciliationQuery = {};
  let problem: string | null = null;
  try {
    query = parseReconciliationQuery(sp);
  } catch (err) {
    if (!isAppError(err)) throw err;
    const fields = Object.entries((err.details ?? {}) as Record<string, string[]>).map(([k, v]) => `${k} ${v.join(", ")}`);
    problem = `${err.message}${fields.length ? ` (${fields.join("; ")})` : ""} Showing the default period instead.`;
  }
  const period = periodOf(query);
  const report = await reconciliationReport({ ...period, rail: query.rail, userId: query.user });
  const filters = new URLSearchParams({
    from: day(period.from),
    to: day(new Date(period.to.getTime() - 1)),
    ...(query.rail ? { rail: query.rail } : {}),
    ...(query.user ? { user: query.user } : {}),
  });
  const l = report.ledger;
  const count = report.differences.length;

  return (
    <div className="space-y-8">
      <PageTitle
        title="Reconciliation"
        lead="Every unit accounted for: what the chain and the providers say was received, against what Satchel credited, forwarded, refunded or holds on an open exception, with every difference listed."
      />
      {problem && <Alert tone="error">{problem}</Alert>}
      <form
        method="get"
        action="/admin/reconciliation"
        aria-label="Reconciliation period"
        className="grid grid-cols-2 gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-5 dark:border-slate-700 dark:bg-slate-900"
      >
        <div>
          <label htmlFor="from" className={labelCls}>
            From
          </label>
          <input id="from" name="from" type="date" defaultValue={day(period.from)} className={input} />
        </div>
        <div>
          <label htmlFor="to" className={labelCls}>
            To (inclusive)
          </label>
          <input id="to" name="to" type="date" defaultValue={day(new Date(period.to.getTime() - 1))} className={input} />
        </div>
        <div>
          <label htmlFor="rail" className={labelCls}>
            Rail
          </label>
          <select id="rail" name="rail" defaultValue={query.rail ?? ""} className={input}>
            <option value="">All rails</option>
            {RAILS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="user" className={labelCls}>
            User id
          </label>
          <input id="user" name="user" defaultValue={query.user ?? ""} className={input} />
        </div>
        <div className="col-span-2 flex items-end gap-2 md:col-span-1">
          <button type="submit" className={buttonPrimary}>
            Show
          </button>
          <a href={`/api/admin/reconciliation/export?${filters}`} className={buttonSecondary} download>
            CSV
          </a>
        </div>
      </form>

      <section aria-labelledby="rec-summary" className="space-y-3">
        <h2 id="rec-summary" className="text-lg font-semibold text-slate-900 dark:text-white">
          {count === 0 ? "No differences" : `${formatNumber(count)} difference${count === 1 ? "" : "s"}`}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="reconciliation-status">
          Checkouts created {formatDateTime(report.period.from)} – {formatDateTime(report.period.to)}. Ledger: {formatNumber(l.users)} users,{" "}
          {formatNumber(l.entries)} entries, Σ entries {formatNumber(l.entriesTotal)} {l.entriesTotal === l.balancesTotal ? "=" : "≠"} Σ balances{" "}
          {formatNumber(l.balancesTotal)}. Chain: {formatNumber(report.chainCalls)} calls.
        </p>
        {report.unchecked.addresses > 0 && (
          <Alert tone="error">
            {formatNumber(report.unchecked.addresses)} Bitcoin address(es) were not checked on the chain: {report.unchecked.reason}. Their recorded figures
            stand in, so this report proves less than it shows; narrow the period or raise RECONCILIATION_CHAIN_CALLS.
          </Alert>
        )}
        <DataTable
          caption="Totals per rail"
          testId="reconciliation-totals"
          rowKey={(t) => `${t.rail}|${t.unit}`}
          rows={report.totals}
          cardsBelow="lg"
          empty={{ title: "No checkouts in this period." }}
          columns={[
            { key: "rail", header: "Rail", primary: true, cell: (t) => `${railName(t.rail)} (${t.unit})` },
            { key: "count", header: "Checkouts", align: "right", cell: (t) => formatNumber(t.checkouts) },
            { key: "received", header: "Received", align: "right", cell: (t) => amount(t.received, t.unit) },
            {
              key: "credited",
              header: "Credited",
              align: "right",
              cell: (t) => (
                <>
                  {amount(t.credited, t.unit)}
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{formatNumber(t.credits)} credits</span>
                </>
              ),
            },
            { key: "forwarded", header: "Forwarded", align: "right", hideBelow: "xl", cell: (t) => amount(t.forwarded, t.unit) },
            { key: "refunded", header: "Refunded", align: "right", cell: (t) => amount(t.refunded, t.unit) },
            { key: "open", header: "Open exceptions", align: "right", cell: (t) => amount(t.openExceptions, t.unit) },
            { key: "progress", header: "In progress", align: "right", hideBelow: "xl", cell: (t) => amount(t.inProgress, t.unit) },
            { key: "marked", header: "Marked", align: "right", hideBelow: "xl", cell: (t) => amount(t.marked, t.unit) },
            { key: "diffs", header: "Differences", align: "right", cell: (t) => formatNumber(t.differences) },
          ]}
        />
      </section>

      <section aria-labelledby="rec-differences" className="space-y-3">
        <h2 id="rec-differences" className="text-lg font-semibold text-slate-900 dark:text-white">
          Differences
        </h2>
        <DataTable
          caption="Differences"
          testId="reconciliation-differences"
          rowKey={(d) => d.key}
          rows={report.differences}
          empty={{
            title: "No differences.",
            body: "Every unit received in this period is credited, forwarded, refunded, in progress or on an open exception.",
          }}
          columns={[
            { key: "kind", header: "Difference", primary: true, cell: (d) => DIFFERENCE_LABEL[d.kind] },
            { key: "rail", header: "Rail", cell: (d) => railName(d.rail) },
            {
              key: "amount",
              header: "Amount",
              align: "right",
              className: "whitespace-nowrap",
              cell: (d) => (d.amount && d.unit ? amount(d.amount, d.unit) : "—"),
            },
            { key: "what", header: "What", className: "break-words", cell: (d) => d.message },
            {
              key: "link",
              header: "Open",
              cell: (d) => (
                <Link href={d.href} className={`${textLink} font-mono text-xs`}>
                  {d.checkoutId ? `checkout ${d.checkoutId}` : d.email ? `user ${d.email}` : d.href}
                </Link>
              ),
            },
          ]}
        />
      </section>
    </div>
  );
}
