"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { QRCodeSVG } from "qrcode.react";
import { Alert } from "@/components/alert";
import { buttonPrimary, buttonSecondary, card } from "@/components/ui";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { formatBtcTrimmed } from "@/lib/money/amounts";
import { CopyButton } from "../copy-button";
import { Countdown } from "../countdown";

const btc = (sats: string) => formatBtcTrimmed(BigInt(sats));

/** Bitcoin: the BIP21 QR, address and amount to copy, and (regtest) the simulator controls. */
export function BitcoinPanel({ c }: { c: LiveCheckout }) {
  const due = c.remainingUri ? c.remainingAmount : c.expectedAmount;
  return (
    <>
      {c.exception === "underpaid" && c.open && (
        <Alert tone="info">
          We received {btc(c.receivedAmount)} BTC. Please send the remaining{" "}
          <strong className="font-semibold" data-testid="remaining-btc">
            {btc(c.remainingAmount)} BTC
          </strong>{" "}
          to the same address before the checkout expires.
        </Alert>
      )}
      {c.status === "confirming" && c.exception !== "underpaid" && (
        <Alert tone="info">Payment seen. Waiting for confirmations — you can close this page; your credits will still arrive.</Alert>
      )}

      {c.open && c.address && c.paymentUri && (
        <div className={`${card} grid gap-6 p-5 sm:grid-cols-[auto_1fr] sm:p-6`}>
          <div className="mx-auto rounded-xl border border-slate-200 bg-white p-3">
            <QRCodeSVG value={c.remainingUri ?? c.paymentUri} size={208} marginSize={2} title="Payment QR code" />
          </div>
          <dl className="min-w-0 space-y-4">
            <div>
              <dt className="text-sm text-slate-600">{c.remainingUri ? "Still due" : "Send exactly"}</dt>
              <dd className="mt-1 flex flex-wrap items-center gap-2">
                <span className="text-2xl font-bold tabular text-slate-900" data-testid="amount-btc">
                  {btc(due)} BTC
                </span>
                <CopyButton value={btc(due)} label="amount" />
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
    </>
  );
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
