import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
import { DataTable } from "@/components/data-table";
import { PageTitle } from "@/components/page-title";
import { textLink } from "@/components/ui";
import { listAudit } from "@/lib/audit";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const TARGET_HREF: Record<string, (id: string) => string> = {
  checkout: (id) => `/admin/payments/${id}`,
  user: (id) => `/admin/users/${id}`,
  webhook: (id) => `/admin/webhooks/${id}`,
  package: () => "/admin/packages",
  api_key: () => "/admin/developers",
  neobank_deposit: () => "/admin#neobank-deposits",
};

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/audit");
  const sp = await searchParams;
  const data = await listAudit({ page: Number(sp.page) || 1 });
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
    <div>
      <PageTitle title="Audit log" lead="Who did what, to what, when and why. Read-only." />
      <DataTable
        caption="Admin actions, newest first"
        rowKey={(a) => a.id}
        rows={data.rows}
        empty={{ title: "No admin actions yet." }}
        columns={[
          { key: "action", header: "Action", primary: true, className: "font-medium", cell: (a) => a.action },
          {
            key: "when",
            header: "When",
            className: "whitespace-nowrap",
            cell: (a) => <time dateTime={a.createdAt.toISOString()}>{formatDateTime(a.createdAt)}</time>,
          },
          {
            key: "who",
            header: "Who",
            className: "break-all",
            cell: (a) => a.actor?.email ?? (a.actorId ? "deleted user" : "Satchel (a buyer's claim or background work)"),
          },
          {
            key: "target",
            header: "Target",
            cell: (a) => (
              <>
                <span className="text-slate-600 dark:text-slate-400">{a.targetType} </span>
                <Link href={(TARGET_HREF[a.targetType] ?? TARGET_HREF.package!)(a.targetId)} className={`${textLink} break-all font-mono text-xs`}>
                  {a.targetId}
                </Link>
              </>
            ),
          },
          {
            key: "reason",
            header: "Reason",
            cell: (a) => (
              <>
                {a.reason}
                {a.data !== null && (
                  <details className="mt-1">
                    <summary className="cursor-pointer text-xs text-slate-600 dark:text-slate-400">data</summary>
                    <pre className="mt-1 max-w-md overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs dark:bg-slate-800">
                      {JSON.stringify(a.data, null, 2)}
                    </pre>
                  </details>
                )}
              </>
            ),
          },
        ]}
      />
      <Pager base="/admin/audit" params={{}} page={data.page} pages={pages} total={data.total} noun="entries" />
    </div>
  );
}
