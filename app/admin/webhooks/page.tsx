import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
import { DataTable } from "@/components/data-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, textLink } from "@/components/ui";
import { listWebhooks, WEBHOOK_STATUSES, type WebhookStatusFilter } from "@/lib/admin/webhooks";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

const sel = "mt-1 block rounded-lg border border-slate-400 bg-white px-3 py-2 text-sm dark:border-slate-500 dark:bg-slate-900";

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/webhooks");
  const sp = await searchParams;
  const provider = typeof sp.provider === "string" && sp.provider ? sp.provider.slice(0, 50) : undefined;
  const status = WEBHOOK_STATUSES.includes(sp.status as WebhookStatusFilter) ? (sp.status as WebhookStatusFilter) : undefined;
  const data = await listWebhooks({ provider, status, page: Number(sp.page) || 1 });
  const params: Record<string, string> = { ...(provider ? { provider } : {}), ...(status ? { status } : {}) };
  return (
    <div>
      <PageTitle title="Webhook inbox" lead="Every inbound call, stored before processing. Open one to inspect it or replay a failed one." />
      <form method="get" className="mb-6 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="provider" className="block text-xs font-medium text-slate-700">
            Provider
          </label>
          <select id="provider" name="provider" defaultValue={provider ?? ""} className={sel}>
            <option value="">Any</option>
            {data.providers.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="status" className="block text-xs font-medium text-slate-700">
            Status
          </label>
          <select id="status" name="status" defaultValue={status ?? ""} className={sel}>
            <option value="">Any</option>
            {WEBHOOK_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonPrimary}>
          Filter
        </button>
      </form>
      <DataTable
        caption="Webhook deliveries, newest first"
        rowKey={(w) => w.id}
        rows={data.rows}
        empty={{ title: "No webhooks match." }}
        columns={[
          {
            key: "received",
            header: "Received",
            primary: true,
            className: "whitespace-nowrap",
            cell: (w) => (
              <Link href={`/admin/webhooks/${w.id}`} className={textLink}>
                {formatDateTime(w.receivedAt)}
              </Link>
            ),
          },
          { key: "provider", header: "Provider", cell: (w) => w.provider },
          { key: "status", header: "Status", cell: (w) => `${w.status}${w.verified ? "" : " (unverified)"} · ${w.attempts} attempts` },
          {
            key: "checkout",
            header: "Checkout",
            className: "font-mono text-xs break-all",
            cell: (w) =>
              w.checkoutId ? (
                <Link href={`/admin/payments/${w.checkoutId}`} className={textLink}>
                  {w.checkoutId}
                </Link>
              ) : (
                "—"
              ),
          },
          {
            key: "error",
            header: "Error",
            className: "max-w-64 truncate text-red-800 dark:text-red-300",
            cell: (w) => <span title={w.error ?? w.verifyError ?? undefined}>{w.error ?? w.verifyError ?? ""}</span>,
          },
        ]}
      />
      <Pager base="/admin/webhooks" params={params} page={data.page} pages={data.pages} total={data.total} noun="webhooks" />
    </div>
  );
}
