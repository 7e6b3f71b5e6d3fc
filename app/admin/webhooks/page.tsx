import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, textLink } from "@/components/ui";
import { listWebhooks, WEBHOOK_STATUSES, type WebhookStatusFilter } from "@/lib/admin/webhooks";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Webhooks" };
export const dynamic = "force-dynamic";

const sel = "mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm";

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
      <div role="region" aria-labelledby="wh-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full min-w-[48rem] text-left text-sm">
          <caption id="wh-caption" className="sr-only">
            Webhook deliveries, newest first
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Received
              </th>
              <th scope="col" className="px-4 py-3">
                Provider
              </th>
              <th scope="col" className="px-4 py-3">
                Status
              </th>
              <th scope="col" className="px-4 py-3">
                Checkout
              </th>
              <th scope="col" className="px-4 py-3">
                Error
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.rows.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-8 text-center text-slate-600">
                  No webhooks match.
                </td>
              </tr>
            )}
            {data.rows.map((w) => (
              <tr key={w.id}>
                <td className="whitespace-nowrap px-4 py-3">
                  <Link href={`/admin/webhooks/${w.id}`} className={textLink}>
                    {formatDateTime(w.receivedAt)}
                  </Link>
                </td>
                <td className="px-4 py-3">{w.provider}</td>
                <td className="px-4 py-3">
                  {w.status}
                  {w.verified ? "" : " (unverified)"} · {w.attempts} attempts
                </td>
                <td className="px-4 py-3 font-mono text-xs">
                  {w.checkoutId ? (
                    <Link href={`/admin/payments/${w.checkoutId}`} className={textLink}>
                      {w.checkoutId}
                    </Link>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="max-w-64 truncate px-4 py-3 text-red-700" title={w.error ?? w.verifyError ?? undefined}>
                  {w.error ?? w.verifyError ?? ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager base="/admin/webhooks" params={params} page={data.page} pages={data.pages} total={data.total} noun="webhooks" />
    </div>
  );
}
