import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
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
};

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/audit");
  const sp = await searchParams;
  const data = await listAudit({ page: Number(sp.page) || 1 });
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
    <div>
      <PageTitle title="Audit log" lead="Who did what, to what, when and why. Read-only." />
      <div role="region" aria-labelledby="audit-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full min-w-[48rem] text-left text-sm">
          <caption id="audit-caption" className="sr-only">
            Admin actions, newest first
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                When
              </th>
              <th scope="col" className="px-4 py-3">
                Who
              </th>
              <th scope="col" className="px-4 py-3">
                Action
              </th>
              <th scope="col" className="px-4 py-3">
                Target
              </th>
              <th scope="col" className="px-4 py-3">
                Reason
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.rows.length === 0 && (
              <tr>
                <td colSpan={5} className="px-4 py-8 text-center text-slate-600">
                  No admin actions yet.
                </td>
              </tr>
            )}
            {data.rows.map((a) => (
              <tr key={a.id} className="align-top">
                <td className="whitespace-nowrap px-4 py-3 text-slate-600">
                  <time dateTime={a.createdAt.toISOString()}>{formatDateTime(a.createdAt)}</time>
                </td>
                <td className="px-4 py-3">{a.actor?.email ?? "deleted user"}</td>
                <td className="px-4 py-3 font-medium">{a.action}</td>
                <td className="px-4 py-3">
                  <span className="text-slate-500">{a.targetType} </span>
                  <Link href={(TARGET_HREF[a.targetType] ?? TARGET_HREF.package!)(a.targetId)} className={`${textLink} font-mono text-xs`}>
                    {a.targetId}
                  </Link>
                </td>
                <td className="px-4 py-3 text-slate-700">
                  {a.reason}
                  {a.data !== null && (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs text-slate-500">data</summary>
                      <pre className="mt-1 max-w-md overflow-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(a.data, null, 2)}</pre>
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager base="/admin/audit" params={{}} page={data.page} pages={pages} total={data.total} noun="entries" />
    </div>
  );
}
