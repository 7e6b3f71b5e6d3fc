"use client";

import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Alert } from "@/components/alert";
import { card, textLink } from "@/components/ui";
import type { ExceptionRow, Metrics, SystemStatus } from "@/lib/admin/metrics";
import { formatMoney, formatNumber, minorDigits } from "@/lib/format";
import { ExceptionBadge, StatusBadge } from "./badges";

export interface OverviewData {
  metrics: Metrics;
  system: SystemStatus;
  exceptions: (Omit<ExceptionRow, "createdAt"> & { createdAt: string })[];
  at: string;
}

const RAIL_COLORS: Record<string, string> = { btc: "#f59e0b", mpesa: "#16a34a", interledger: "#6366f1", neobank: "#0ea5e9" };
const STATUS_ORDER = ["pending", "confirming", "paid", "credited", "forwarded", "expired", "failed"];

/** The overview, refreshed every 15 s from /api/admin/metrics without reloading the page. */
export function OverviewDashboard({ initial, days }: { initial: OverviewData; days: number }) {
  const [client] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={client}>
      <Dashboard initial={initial} days={days} />
    </QueryClientProvider>
  );
}

function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function Dashboard({ initial, days }: { initial: OverviewData; days: number }) {
  const { data, isError, dataUpdatedAt } = useQuery<OverviewData>({
    queryKey: ["admin-metrics", days],
    queryFn: async () => {
      const res = await fetch(`/api/admin/metrics?days=${days}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`metrics: ${res.status}`);
      return res.json();
    },
    initialData: initial,
    // The stamp of the server's data, not "now": the server renders and the browser hydrates at
    // different moments, so a Date.now() default showed another second on ~1 in 7 loads and
    // React threw hydration error #418 (e2e/hydration.spec.ts).
    initialDataUpdatedAt: Date.parse(initial.at),
    refetchInterval: 15_000,
    refetchOnWindowFocus: true,
  });
  const { metrics: m, system, exceptions } = data;

  // One chart per currency would be noisy; show the currency with the most checkouts and
  // list the others' totals beneath it.
  const currencies = [...new Set(m.revenue.map((r) => r.currency))];
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = chosen && currencies.includes(chosen) ? chosen : (currencies[0] ?? "USD");
  const rails = [...new Set(m.revenue.filter((r) => r.currency === currency).map((r) => r.rail))];
  const byDay = new Map<string, Record<string, number | string>>();
  for (let t = new Date(m.range.from).getTime(); t < new Date(m.range.to).getTime(); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    byDay.set(day, { day });
  }
  const scale = 10 ** minorDigits(currency);
  for (const r of m.revenue.filter((x) => x.currency === currency)) {
    const row = byDay.get(r.day) ?? { day: r.day };
    row[r.rail] = r.amountMinor / scale; // display only: the chart needs numbers
    byDay.set(r.day, row);
  }
  const revenueData = [...byDay.values()];
  const totals = currencies.map((c) => ({ currency: c, minor: m.revenue.filter((r) => r.currency === c).reduce((a, r) => a + r.amountMinor, 0) }));
  const statusData = STATUS_ORDER.map((s) => ({ status: s, count: m.byStatus[s as keyof typeof m.byStatus] ?? 0 }));

  const kpis = [
    { label: "Revenue", value: totals.length ? totals.map((t) => formatMoney(t.minor, t.currency)).join(" · ") : formatMoney(0, "USD") },
    {
      label: "Conversion",
      value: m.conversion.rate === null ? "—" : `${Math.round(m.conversion.rate * 1000) / 10}%`,
      hint: `${formatNumber(m.conversion.credited)} of ${formatNumber(m.conversion.created)} checkouts credited`,
    },
    { label: "Seen → credited (median)", value: duration(m.medianSeenToCreditedSeconds) },
    { label: "Open exceptions", value: formatNumber(m.openExceptions), href: "/admin/payments?attention=1", warn: m.openExceptions > 0 },
  ];

  return (
    <div className="space-y-8">
      <p className="text-xs text-slate-500" aria-live="polite">
        Last {days} days · updated <time dateTime={new Date(dataUpdatedAt).toISOString()}>{new Date(dataUpdatedAt).toISOString().slice(11, 19)} UTC</time>
        {isError && " · refresh failed, retrying"}
      </p>

      <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {kpis.map((k) => (
          <div key={k.label} className={`${card} p-5 ${k.warn ? "border-amber-300" : ""}`}>
            <dt className="text-sm font-medium text-slate-600">{k.label}</dt>
            <dd className="mt-1 text-2xl font-bold tracking-tight text-slate-900 tabular" data-testid={`kpi-${k.label.toLowerCase().replace(/[^a-z]+/g, "-")}`}>
              {k.href ? (
                <Link href={k.href} className="hover:underline">
                  {k.value}
                </Link>
              ) : (
                k.value
              )}
            </dd>
            {k.hint && <dd className="mt-1 text-xs text-slate-500">{k.hint}</dd>}
          </div>
        ))}
      </dl>

      <div className="grid gap-6 lg:grid-cols-2">
        <figure className={`${card} p-5`} aria-labelledby="revenue-chart-title" data-testid="revenue-chart">
          <div className="mb-3 flex items-center justify-between gap-2">
            <figcaption id="revenue-chart-title" className="font-semibold text-slate-900">
              Revenue per day ({currency})
            </figcaption>
            {currencies.length > 1 && (
              <label className="text-sm text-slate-600">
                <span className="sr-only">Currency</span>
                <select value={currency} onChange={(e) => setChosen(e.target.value)} className="rounded-md border border-slate-300 px-2 py-1 text-sm">
                  {currencies.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <div className="h-64">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={revenueData} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={11} tickLine={false} />
                <YAxis fontSize={11} tickLine={false} axisLine={false} width={48} />
                <Tooltip formatter={(v) => [`${v} ${currency}`]} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                {(rails.length ? rails : ["btc"]).map((r) => (
                  <Bar key={r} dataKey={r} name={r} stackId="rev" fill={RAIL_COLORS[r] ?? "#64748b"} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          {totals.length > 1 && <p className="mt-2 text-xs text-slate-500">Totals: {totals.map((t) => formatMoney(t.minor, t.currency)).join(", ")}</p>}
        </figure>

        <figure className={`${card} p-5`} aria-labelledby="status-chart-title" data-testid="status-chart">
          <figcaption id="status-chart-title" className="mb-3 font-semibold text-slate-900">
            Checkouts by status
          </figcaption>
          <div className="h-64">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={statusData} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="status" fontSize={11} tickLine={false} interval={0} />
                <YAxis allowDecimals={false} fontSize={11} tickLine={false} axisLine={false} width={36} />
                <Tooltip />
                <Bar dataKey="count" name="checkouts" fill="#0f6b5d" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <p className="sr-only">{statusData.map((s) => `${s.status}: ${s.count}`).join(", ")}</p>
        </figure>
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-labelledby="exceptions-title" className={`${card} p-5 lg:col-span-2`}>
          <h2 id="exceptions-title" className="font-semibold text-slate-900">
            Needs action
          </h2>
          {exceptions.length === 0 ? (
            <p className="mt-2 text-sm text-slate-600">Nothing waiting for an admin.</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100 text-sm">
              {exceptions.map((e) => (
                <li key={e.id} className="flex flex-wrap items-center gap-2 py-2">
                  <Link href={`/admin/payments/${e.id}`} className={`${textLink} font-mono text-xs`}>
                    {e.id}
                  </Link>
                  <StatusBadge status={e.status} />
                  <ExceptionBadge exception={e.exception} />
                  <span className="text-slate-600">{e.email}</span>
                  <span className="ml-auto tabular text-slate-600">
                    {e.receivedAmount} / {e.expectedAmount} {e.amountUnit}
                  </span>
                  {e.needsAttention && <span className="w-full text-xs text-red-700">{e.attentionReason ?? "Background work gave up."}</span>}
                  {e.excess && (
                    <span className="w-full text-xs text-amber-900">
                      {e.excess} {e.amountUnit} more than due: the buyer&apos;s money to give back
                      {e.refundPending ? " (a refund is waiting for the buyer's claim or its payout)." : " (open the payment to refund it)."}
                    </span>
                  )}
                  {!e.needsAttention && e.exception === "invalid" && (e.status === "pending" || e.status === "confirming") && (
                    <span className="w-full text-xs text-red-700">The payment left the chain (replaced or dropped); the buyer was told and may pay again.</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="system-title" className={`${card} space-y-3 p-5 text-sm`}>
          <h2 id="system-title" className="font-semibold text-slate-900">
            System
          </h2>
          <Health
            ok={system.database.ok}
            label="Database"
            detail={`${system.database.mode}${system.database.latencyMs !== undefined ? `, ${system.database.latencyMs} ms` : ""}`}
          />
          {system.chain && (
            <Health
              ok={system.chain.ok}
              label="Chain backend"
              detail={
                system.chain.ok ? `${system.chain.backend}, tip ${formatNumber(system.chain.tipHeight ?? 0)}` : `${system.chain.backend}: ${system.chain.error}`
              }
            />
          )}
          <div>
            <p className="font-medium text-slate-800">Rails</p>
            {system.rails.length === 0 ? (
              <p className="text-slate-600">None configured.</p>
            ) : (
              <ul className="mt-1 space-y-1 text-slate-600">
                {system.rails.map((r) => (
                  <li key={r.rail} data-testid={`rail-status-${r.rail}`}>
                    <span className="font-medium text-slate-800">{r.label}</span> · {r.detail}
                    {!r.up && <span className="block text-red-700">Unavailable to buyers: {r.reason}</span>}
                  </li>
                ))}
              </ul>
            )}
          </div>
          {system.gap && (
            <div data-testid="gap-limit">
              <p className="font-medium text-slate-800">Unused addresses</p>
              <p className="tabular text-slate-600">
                {system.gap.unused} of the wallet gap limit {system.gap.limit} ({formatNumber(system.gap.handedOut)} handed out)
              </p>
              {system.gap.warn && (
                <div className="mt-2">
                  <Alert tone="error">
                    {system.gap.unused} addresses in a row have received nothing. Wallets stop looking after {system.gap.limit}: raise the gap limit in your
                    wallet before payments to later addresses go unseen.
                  </Alert>
                </div>
              )}
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

function Health({ ok, label, detail }: { ok: boolean; label: string; detail: string }) {
  return (
    <p className="flex items-start gap-2">
      <span aria-hidden="true" className={`mt-1.5 size-2 shrink-0 rounded-full ${ok ? "bg-brand-500" : "bg-red-600"}`} />
      <span>
        <span className="font-medium text-slate-800">{label}</span>: <span className={ok ? "text-slate-600" : "text-red-700"}>{ok ? "ok" : "down"}</span>
        <span className="block text-xs text-slate-500">{detail}</span>
      </span>
    </p>
  );
}
