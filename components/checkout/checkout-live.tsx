"use client";

import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Alert } from "@/components/alert";
import { card, textLink } from "@/components/ui";
import { formatCredits, formatMoney } from "@/lib/format";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { RAIL_PANELS } from "./rail-panels";
import { StatusSteps, statusSteps } from "./status-steps";

// The live checkout: polls GET /api/checkouts/[id] every 2.5 s while the tab is visible and
// the checkout is open (each poll may trigger a throttled chain observation server-side),
// every 30 s when hidden, and stops once nothing more can happen.

const FINAL = ["credited", "forwarded", "failed"];

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(true);
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    update();
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  return visible;
}

export function pollInterval(c: Pick<LiveCheckout, "status" | "open" | "monitorUntil" | "serverTime">, visible: boolean): number | false {
  if (FINAL.includes(c.status)) return false;
  if (c.status === "expired" && new Date(c.serverTime) >= new Date(c.monitorUntil)) return false;
  if (!visible) return 30_000;
  return c.open || c.status === "paid" ? 2_500 : 10_000;
}

async function fetchCheckout(id: string): Promise<LiveCheckout> {
  const res = await fetch(`/api/checkouts/${id}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json();
}

export function CheckoutLive({ initial }: { initial: LiveCheckout }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 1000 } } }));
  return (
    <QueryClientProvider client={client}>
      <Checkout initial={initial} />
    </QueryClientProvider>
  );
}

function Checkout({ initial }: { initial: LiveCheckout }) {
  const visible = usePageVisible();
  const query = useQuery({
    queryKey: ["checkout", initial.id],
    queryFn: () => fetchCheckout(initial.id),
    initialData: initial,
    refetchInterval: (q) => pollInterval(q.state.data ?? initial, visible),
    refetchIntervalInBackground: true,
  });
  const c = query.data;
  const offline = query.isError || !c.networkOk;
  const Panel = RAIL_PANELS[c.rail];

  return (
    <div className="space-y-6">
      <div className={`${card} p-5 sm:p-6`}>
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <div>
            <p className="text-sm text-slate-600">Paying for</p>
            <p className="text-lg font-semibold text-slate-900">
              {c.packageName} · {formatCredits(c.credits)}
            </p>
          </div>
          <div className="text-right">
            <p className="text-sm text-slate-600">Price</p>
            <p className="text-lg font-semibold tabular text-slate-900">{formatMoney(c.priceMinor, c.currency)}</p>
          </div>
        </div>
        <div className="mt-5">
          <StatusSteps steps={statusSteps(c)} />
        </div>
        {c.confirmationsRequired > 0 && c.receivedAmount !== "0" && (
          <div className="mt-4">
            <div
              role="progressbar"
              aria-label="Confirmations"
              aria-valuemin={0}
              aria-valuemax={c.confirmationsRequired}
              aria-valuenow={Math.min(c.confirmations, c.confirmationsRequired)}
              className="h-2 overflow-hidden rounded-full bg-slate-200"
            >
              <div
                className="h-full bg-brand-600 transition-all duration-500"
                style={{ width: `${(Math.min(c.confirmations, c.confirmationsRequired) / c.confirmationsRequired) * 100}%` }}
              />
            </div>
          </div>
        )}
      </div>

      {offline && <Alert tone="info">Waiting for the network… Your payment is safe; this page will update as soon as the payment network answers.</Alert>}

      <Outcome c={c} />

      {Panel && <Panel c={c} />}
    </div>
  );
}

function Outcome({ c }: { c: LiveCheckout }) {
  if (c.status === "credited" || c.status === "forwarded")
    return (
      <Alert tone="success">
        Paid. {formatCredits(c.credits)} added to your account.{" "}
        <Link href="/account" className={textLink}>
          See your balance
        </Link>
      </Alert>
    );
  if (c.status === "paid") return <Alert tone="success">Payment confirmed. Your credits are being added — you can close this page.</Alert>;
  if (c.status === "expired") {
    const message =
      c.exception === "underpaid"
        ? "This checkout expired before the full amount arrived. What you sent is recorded; an admin will settle it with you."
        : c.exception === "paid_late"
          ? "Your payment arrived after this checkout expired. It is recorded and an admin will settle it with you."
          : c.exception === "invalid"
            ? "The payment for this checkout left the Bitcoin network. Contact support if you sent funds."
            : "This checkout expired. Nothing was paid — start a new one to buy credits.";
    return (
      <Alert tone="info">
        <strong className="font-semibold">Checkout expired.</strong> {message}{" "}
        <Link href="/" className={textLink}>
          Back to packages
        </Link>
      </Alert>
    );
  }
  if (c.status === "failed")
    return (
      <Alert tone="error">
        <strong className="font-semibold">Payment failed.</strong> {c.failureMessage ?? "The payment did not go through."}
      </Alert>
    );
  return null;
}
