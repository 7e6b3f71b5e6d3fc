import type { Metadata } from "next";
import Link from "next/link";
import { OverviewDashboard } from "@/components/admin/overview-dashboard";
import { PageTitle } from "@/components/page-title";
import { lastDays, metrics, openExceptions, systemStatus } from "@/lib/admin/metrics";
import { requireAdminPage } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

const RANGES = [7, 30, 90];

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin");
  const requested = Number((await searchParams).days);
  const days = RANGES.includes(requested) ? requested : 30;
  const [m, system, exceptions] = await Promise.all([metrics(lastDays(days)), systemStatus(), openExceptions(10)]);
  return (
    <div>
      <PageTitle title="Overview" lead="Revenue, conversion and what needs you, refreshed every few seconds." />
      <nav aria-label="Range" className="-mt-4 mb-6 flex gap-1 text-sm">
        {RANGES.map((d) => (
          <Link
            key={d}
            href={`/admin?days=${d}`}
            aria-current={d === days ? "page" : undefined}
            className="rounded-md border border-slate-200 px-2.5 py-1 text-slate-600 hover:bg-slate-50 aria-[current=page]:border-brand-600 aria-[current=page]:text-brand-800"
          >
            {d} days
          </Link>
        ))}
      </nav>
      <OverviewDashboard
        days={days}
        initial={{
          metrics: m,
          system,
          exceptions: exceptions.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
          at: new Date().toISOString(),
        }}
      />
    </div>
  );
}
