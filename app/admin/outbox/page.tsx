import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
import { DataTable } from "@/components/data-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, textLink } from "@/components/ui";
import { listOutbox } from "@/lib/admin/outbox";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Outbox" };
export const dynamic = "force-dynamic";

// /admin/outbox — every email Satchel recorded: receipts, admin alerts, password resets and
// email changes. Without SMTP this is where they wait (the embedded default's local outbox).
export default async function OutboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/outbox");
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q.slice(0, 200) : "";
  const data = await listOutbox({ q, page: Number(sp.page) || 1 });
  return (
    <div>
      <PageTitle title="Outbox" lead="Every email Satchel recorded, newest first. Without SMTP_URL the message stays here: this is its only copy." />
      <form method="get" role="search" aria-label="Outbox" className="mb-6 flex flex-wrap gap-2">
        <label htmlFor="q" className="sr-only">
          Search emails
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={q}
          placeholder="Recipient, subject or dedup key"
          className="block w-full max-w-md rounded-lg border border-slate-400 bg-white px-3 py-2 text-sm dark:border-slate-500 dark:bg-slate-900"
        />
        <button type="submit" className={buttonPrimary}>
          Search
        </button>
      </form>
      <DataTable
        caption="Recorded emails, newest first"
        testId="outbox"
        rowKey={(r) => r.id}
        rows={data.rows}
        empty={{ title: "No emails recorded.", body: "Receipts and account emails show up here." }}
        columns={[
          {
            key: "subject",
            header: "Subject",
            primary: true,
            cell: (r) => (
              <details>
                <summary className="cursor-pointer font-medium">{r.subject}</summary>
                <pre className="mt-2 max-h-80 max-w-full overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs dark:bg-slate-800">{r.text}</pre>
              </details>
            ),
          },
          { key: "to", header: "To", className: "break-all", cell: (r) => r.to },
          {
            key: "created",
            header: "Recorded",
            className: "whitespace-nowrap",
            cell: (r) => <time dateTime={r.createdAt.toISOString()}>{formatDateTime(r.createdAt)}</time>,
          },
          {
            key: "state",
            header: "Delivery",
            cell: (r) =>
              r.transport === "outbox"
                ? "outbox only (no SMTP)"
                : r.sentAt
                  ? `sent ${formatDateTime(r.sentAt)}`
                  : r.error
                    ? `failed (${r.attempts}): ${r.error}`
                    : "sending",
          },
          {
            key: "checkout",
            header: "Checkout",
            hideBelow: "xl",
            cell: (r) =>
              r.checkoutId ? (
                <Link href={`/admin/payments/${r.checkoutId}`} className={`${textLink} font-mono text-xs`}>
                  {r.checkoutId}
                </Link>
              ) : (
                "—"
              ),
          },
        ]}
      />
      <Pager base="/admin/outbox" params={q ? { q } : {}} page={data.page} pages={data.pages} total={data.total} noun="emails" />
    </div>
  );
}
