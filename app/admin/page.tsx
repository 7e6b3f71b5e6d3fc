import type { Metadata } from "next";
import Link from "next/link";
import { NeobankDepositsWorklist } from "@/app/admin/neobank-deposits";
import { OverviewDashboard } from "@/components/admin/overview-dashboard";
import { PageTitle } from "@/components/page-title";
import { card } from "@/components/ui";
import { lastDays, metrics, openExceptions, systemStatus } from "@/lib/admin/metrics";
import { openDeposits } from "@/lib/admin/neobank-deposits";
import { adminOverview } from "@/lib/admin/overview";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatNumber, formatRailAmount } from "@/lib/format";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

const RANGES = [7, 30, 90];

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin");
  const requested = Number((await searchParams).days);
  const days = RANGES.includes(requested) ? requested : 30;
  const [m, system, exceptions, o, deposits] = await Promise.all([
    metrics(lastDays(days)),
    systemStatus(),
    openExceptions(10),
    adminOverview(),
    openDeposits(20),
  ]);
  const counts: { label: string; value: number }[] = [
    { label: "Users", value: o.users },
    { label: "Admins", value: o.admins },
    { label: "Active packages", value: o.activePackages },
    { label: "Ledger entries", value: o.ledgerEntries },
    { label: "Credits held by buyers", value: o.creditsOutstanding },
  ];
  return (
    <div>
      <PageTitle title="Admin" lead="Revenue, conversion and what needs you, refreshed every few seconds." />
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
      <NeobankDepositsWorklist deposits={deposits} />
      <section aria-labelledby="counts-title" className="mt-8">
        <h2 id="counts-title" className="mb-3 text-base font-semibold text-slate-900">
          All time
        </h2>
        <dl className="grid grid-cols-2 gap-4 lg:grid-cols-5">
          {counts.map((s) => (
            <div key={s.label} className={`${card} p-4`}>
              <dt className="text-sm font-medium text-slate-600">{s.label}</dt>
              <dd className="mt-1 text-xl font-bold tracking-tight text-slate-900 tabular">{formatNumber(s.value)}</dd>
            </div>
          ))}
        </dl>
      </section>
      {o.electrumWallet ? (
        <section aria-labelledby="electrum-title" className="mt-8">
          <h2 id="electrum-title" className="mb-3 text-base font-semibold text-slate-900">
            Electrum wallet
          </h2>
          <div className={`${card} p-4`}>
            <p className="text-sm text-slate-600">{o.electrumWallet.wallet ?? "The daemon's default wallet"}</p>
            {"error" in o.electrumWallet ? (
              <p className="mt-1 text-sm text-red-700">Balance unavailable: {o.electrumWallet.error}</p>
            ) : (
              <dl className="mt-2 grid grid-cols-2 gap-4">
                <div>
                  <dt className="text-sm font-medium text-slate-600">Confirmed</dt>
                  <dd className="mt-1 text-xl font-bold tracking-tight text-slate-900 tabular">{formatRailAmount(o.electrumWallet.confirmedSats, "sat")}</dd>
                </div>
                <div>
                  <dt className="text-sm font-medium text-slate-600">Unconfirmed</dt>
                  <dd className="mt-1 text-xl font-bold tracking-tight text-slate-900 tabular">{formatRailAmount(o.electrumWallet.unconfirmedSats, "sat")}</dd>
                </div>
              </dl>
            )}
          </div>
        </section>
      ) : null}
    </div>
  );
}
