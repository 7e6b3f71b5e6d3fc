import type { Metadata } from "next";
import { PageTitle } from "@/components/page-title";
import { card } from "@/components/ui";
import { adminOverview } from "@/lib/admin/overview";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatNumber } from "@/lib/format";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requireAdminPage("/admin");
  const o = await adminOverview();
  const stats: { label: string; value: number }[] = [
    { label: "Users", value: o.users },
    { label: "Admins", value: o.admins },
    { label: "Active packages", value: o.activePackages },
    { label: "Ledger entries", value: o.ledgerEntries },
    { label: "Credits held by buyers", value: o.creditsOutstanding },
  ];
  return (
    <div>
      <PageTitle title="Admin" lead="An overview of this Satchel. Payments, refunds and webhooks will appear here." />
      <section aria-labelledby="overview-title">
        <h2 id="overview-title" className="sr-only">
          Overview
        </h2>
        <dl className="grid grid-cols-2 gap-4 lg:grid-cols-5">
          {stats.map((s) => (
            <div key={s.label} className={`${card} p-5`}>
              <dt className="text-sm font-medium text-slate-600">{s.label}</dt>
              <dd className="mt-1 text-2xl font-bold tracking-tight text-slate-900 tabular">{formatNumber(s.value)}</dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}
