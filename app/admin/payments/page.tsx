import type { Metadata } from "next";
import Link from "next/link";
import { PaymentsTable } from "@/components/admin/payments-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, buttonQuiet, buttonSecondary } from "@/components/ui";
import { parsePaymentQuery, searchPayments } from "@/lib/admin/payments";
import { requireAdminPage } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Payments" };
export const dynamic = "force-dynamic";

const STATUSES = ["pending", "confirming", "paid", "credited", "forwarded", "expired", "failed"];
const EXCEPTIONS = ["underpaid", "overpaid", "paid_late", "multiple", "invalid", "paid_after_credit", "reversed"];
const RAILS = [
  ["btc", "Bitcoin"],
  ["mpesa", "M-Pesa"],
  ["interledger", "Interledger"],
  ["neobank", "NEO Bank"],
];

const input = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs focus-visible:border-brand-600";
const labelCls = "block text-xs font-medium text-slate-700";

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/payments");
  const query = parsePaymentQuery(await searchParams);
  const data = await searchPayments(query);
  const params = Object.fromEntries(
    Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const filters = new URLSearchParams(params);
  filters.delete("page");
  filters.delete("size");
  const exportHref = `/api/admin/payments/export${filters.size ? `?${filters}` : ""}`;

  return (
    <div>
      <PageTitle
        title="Payments"
        lead="Every checkout on every rail. Search finds a checkout id, buyer email, address, txid, provider reference or M-Pesa receipt number."
      />
      {/* A plain GET form: the URL holds the filters, so views can be bookmarked and work without JavaScript. */}
      <form
        method="get"
        action="/admin/payments"
        role="search"
        aria-label="Payments"
        className="mb-6 grid grid-cols-2 gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-6"
      >
        <div className="col-span-2 md:col-span-6">
          <label htmlFor="q" className={labelCls}>
            Search
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.q ?? ""}
            placeholder="Checkout id, email, address, txid, reference or M-Pesa receipt"
            className={input}
          />
        </div>
        <div>
          <label htmlFor="status" className={labelCls}>
            Status
          </label>
          <select id="status" name="status" defaultValue={query.status ?? ""} className={input}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="exception" className={labelCls}>
            Exception
          </label>
          <select id="exception" name="exception" defaultValue={query.exception ?? ""} className={input}>
            <option value="">Any or none</option>
            <option value="any">Any exception</option>
            <option value="none">No exception</option>
            {EXCEPTIONS.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="rail" className={labelCls}>
            Rail
          </label>
          <select id="rail" name="rail" defaultValue={query.rail ?? ""} className={input}>
            <option value="">Any</option>
            {RAILS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="from" className={labelCls}>
            From
          </label>
          <input id="from" name="from" type="date" defaultValue={query.from ?? ""} className={input} />
        </div>
        <div>
          <label htmlFor="to" className={labelCls}>
            To
          </label>
          <input id="to" name="to" type="date" defaultValue={query.to ?? ""} className={input} />
        </div>
        <div>
          <label htmlFor="user" className={labelCls}>
            User id
          </label>
          <input id="user" name="user" defaultValue={query.user ?? ""} className={input} />
        </div>
        {query.attention && <input type="hidden" name="attention" value="1" />}
        {query.sort && <input type="hidden" name="sort" value={query.sort} />}
        {query.dir && <input type="hidden" name="dir" value={query.dir} />}
        <div className="col-span-2 flex flex-wrap items-center gap-2 md:col-span-6">
          <button type="submit" className={buttonPrimary}>
            Apply
          </button>
          <Link href="/admin/payments" className={buttonQuiet}>
            Clear
          </Link>
          <a href={exportHref} className={`${buttonSecondary} ml-auto`} download>
            Export CSV
          </a>
        </div>
      </form>
      {query.attention && (
        <p className="mb-4 text-sm text-slate-600">
          Showing only payments that need an admin.{" "}
          <Link className="font-medium text-brand-700 underline" href="/admin/payments">
            Show all
          </Link>
        </p>
      )}
      <PaymentsTable data={data} params={params} />
    </div>
  );
}
