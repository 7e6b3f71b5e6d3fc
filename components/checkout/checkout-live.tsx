"use client";

import { QueryClient, QueryClientProvider, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { QRCodeSVG } from "qrcode.react";
import { useEffect, useState } from "react";
import { Alert } from "@/components/alert";
import { buttonPrimary, buttonSecondary, card, textLink } from "@/components/ui";
import type { LiveCheckout } from "@/lib/checkouts/live";
import { formatCredits, formatMoney } from "@/lib/format";
import { formatBtcTrimmed } from "@/lib/rails/bitcoin/amounts";
import { CopyButton } from "./copy-button";
import { Countdown } from "./countdown";
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
  const btc = (sats: string) => formatBtcTrimmed(BigInt(sats));

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

      {offline && (
        <Alert tone="info">Waiting for the network… Your payment is safe; this page will update as soon as the Bitcoin network answers.</Alert>
      )}

      <Outcome c={c} />

      {c.open && c.address && c.paymentUri && (
        <div className={`${card} grid gap-6 p-5 sm:grid-cols-[auto,1fr] sm:p-6`}>
          <div className="mx-auto rounded-xl border border-slate-200 bg-white p-3">
            <QRCodeSVG value={c.remainingUri ?? c.paymentUri} size={208} marginSize={2} title="Payment QR code" />
          </div>
          <dl className="min-w-0 space-y-4">
            <div>
              <dt className="text-sm text-slate-600">{c.remainingUri ? "Still due" : "Send exactly"}</dt>
              <dd className="mt-1 flex flex-wrap items-center gap-2">
                <span className="text-2xl font-bold tabular text-slate-900" data-testid="amount-btc">
                  {btc(c.remainingUri ? c.remainingAmount : c.expectedAmount)} BTC
                </span>
                <CopyButton value={btc(c.remainingUri ? c.remainingAmount : c.expectedAmount)} label="amount" />
              </dd>
            </div>
            <div>
              <dt className="text-sm text-slate-600">To this address</dt>
              <dd className="mt-1 flex flex-wrap items-center gap-2">
                <code className="break-all rounded bg-slate-50 px-2 py-1 text-sm text-slate-900" data-testid="address">
                  {c.address}
                </code>
                <CopyButton value={c.address} label="address" />
              </dd>
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <a href={c.remainingUri ?? c.paymentUri} className={buttonPrimary}>
                Open in wallet
              </a>
              {c.status === "pending" && (
                <span className="text-sm text-slate-600">
                  Expires in <Countdown until={c.expiresAt} serverTime={c.serverTime} />
                </span>
              )}
            </div>
            {c.rate && (
              <p className="text-xs text-slate-500">
                Rate locked at {Number(c.rate.value).toLocaleString("en-US")} {c.currency}/BTC ({c.rate.source},{" "}
                {new Date(c.rate.at).toLocaleTimeString("en-US")}) · network {c.network}
              </p>
            )}
          </dl>
        </div>
      )}

      {c.simulator && (c.open || c.status === "paid" || c.status === "expired") && <SimulatorPanel id={c.id} />}

      {c.outputs.length > 0 && (
        <div className={`${card} p-5 sm:p-6`}>
          <h2 className="text-base font-semibold text-slate-900">Payments received</h2>
          <ul className="mt-3 space-y-2 text-sm">
            {c.outputs.map((o) => (
              <li key={`${o.txid}:${o.vout}`} className="flex flex-wrap justify-between gap-2">
                <code className="truncate text-slate-600">{o.txid}</code>
                <span className="tabular">
                  {btc(o.sats)} BTC · {o.gone ? "left the chain" : o.confirmed ? "confirmed" : "unconfirmed"}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
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
  if (c.status === "paid")
    return <Alert tone="success">Payment confirmed. Your credits are being added — you can close this page.</Alert>;
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
  if (c.status === "failed") return <Alert tone="error">This payment failed.</Alert>;
  if (c.exception === "underpaid")
    return (
      <Alert tone="info">
        We received {formatBtcTrimmed(BigInt(c.receivedAmount))} BTC. Please send the remaining{" "}
        <strong className="font-semibold" data-testid="remaining-btc">
          {formatBtcTrimmed(BigInt(c.remainingAmount))} BTC
        </strong>{" "}
        to the same address before the checkout expires.
      </Alert>
    );
  if (c.status === "confirming") return <Alert tone="info">Payment seen. Waiting for confirmations — you can close this page; your credits will still arrive.</Alert>;
  return null;
}

function SimulatorPanel({ id }: { id: string }) {
  const qc = useQueryClient();
  const act = useMutation({
    mutationFn: async (body: object) => {
      const res = await fetch(`/api/checkouts/${id}/simulate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error((await res.json().catch(() => null))?.error?.message ?? `status ${res.status}`);
      return res.json();
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ["checkout", id] }),
  });
  return (
    <section aria-labelledby="sim-title" className="rounded-2xl border border-dashed border-amber-300 bg-amber-50 p-5">
      <h2 id="sim-title" className="text-sm font-semibold text-amber-900">
        Simulator (regtest, not real money)
      </h2>
      <div className="mt-3 flex flex-wrap gap-2">
        <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate({ action: "pay", mode: "exact" })}>
          Pay exact
        </button>
        <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate({ action: "pay", mode: "less" })}>
          Pay less
        </button>
        <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate({ action: "pay", mode: "more" })}>
          Pay more
        </button>
        <button type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate({ action: "mine", blocks: 1 })}>
          Mine 1 block
        </button>
      </div>
      {act.isError && <p className="mt-2 text-sm text-red-700">{act.error.message}</p>}
    </section>
  );
}
