"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { buttonPrimary, buttonSecondary } from "@/components/ui";
import { formatBtc, formatNumber, formatRailAmount } from "@/lib/format";
import { CopyButton } from "../copy-button";
import { Countdown } from "../countdown";
import type { RailPanelProps } from "../rail-panels";

/**
 * Bitcoin: while money is due, the BIP21 QR, the amount and address to copy and "Open in
 * wallet" — for the full amount, or after an underpayment for the remainder only. Once the
 * payment is seen they give way to "Payment received" (the shared page). The regtest
 * simulator's controls and the payments received stay below.
 */
export function BitcoinPanel({ c, screen }: RailPanelProps) {
  const t = useTranslations("checkout.btc");
  const locale = useLocale();
  const due = screen.due;
  const uri = screen.phase === "remainder" ? c.remainingUri : c.paymentUri;
  // The BIP21 amount is plain BTC with a dot; what the buyer copies is that same figure.
  const dueBtc = due ? formatBtc(due, "en").replace(/ BTC$/, "") : null;

  return (
    <>
      {due && dueBtc && uri && c.address && (
        <div className="grid gap-5 sm:grid-cols-[auto_1fr]" data-testid="pay-instructions">
          <div className="mx-auto rounded-xl border border-slate-200 bg-white p-3">
            {/* Drawn by the server (GET /api/checkouts/[id]/qr); the query names the amount, so a new amount is a new image.
                A plain <img>: next/image would only add a loader for an SVG that is already the right size. */}
            {/* biome-ignore lint/performance/noImgElement: see above */}
            <img src={`/api/checkouts/${c.id}/qr?sats=${due}`} width={200} height={200} alt={t("qr")} />
          </div>
          <div className="min-w-0 space-y-4">
            <div>
              <p className="text-sm text-slate-600 dark:text-slate-400">{screen.phase === "remainder" ? t("sendRemaining") : t("sendExactly")}</p>
              <p className="mt-1 flex flex-wrap items-center gap-2">
                <span className="text-2xl font-bold tabular text-slate-900 dark:text-white" data-testid="amount-btc">
                  {formatBtc(due, locale)}
                </span>
                <CopyButton value={dueBtc} label={t("amount")} />
              </p>
              <p className="text-sm tabular text-slate-600 dark:text-slate-400">{t("sats", { sats: formatNumber(BigInt(due), locale) })}</p>
            </div>
            <div>
              <p className="text-sm text-slate-600 dark:text-slate-400">{t("toAddress")}</p>
              <p className="mt-1 flex flex-wrap items-center gap-2">
                <code className="break-all rounded bg-slate-100 px-2 py-1 text-sm text-slate-900 dark:bg-slate-800 dark:text-slate-100" data-testid="address">
                  {c.address}
                </code>
                <CopyButton value={c.address} label={t("address")} />
              </p>
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <a href={uri} className={buttonPrimary}>
                {t("openWallet")}
              </a>
              <span className="text-sm text-slate-700 dark:text-slate-300">
                {t("expiresIn")} <Countdown until={c.expiresAt} serverTime={c.serverTime} />
              </span>
            </div>
          </div>
        </div>
      )}

      {c.outputs.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold text-slate-900 dark:text-white">{t("payments")}</h3>
          <ul className="mt-2 space-y-2 text-sm">
            {c.outputs.map((o) => (
              <li key={`${o.txid}:${o.vout}`} className="flex flex-wrap justify-between gap-x-3 gap-y-1">
                <code className="min-w-0 max-w-full truncate text-slate-700 dark:text-slate-300">{o.txid}</code>
                <span className="tabular">
                  {formatRailAmount(o.sats, "sat", locale)} · {o.gone ? t("gone") : o.confirmed ? t("confirmed") : t("unconfirmed")}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {c.simulator && (c.open || c.status === "paid" || c.status === "expired") && <SimulatorPanel id={c.id} />}
    </>
  );
}

function SimulatorPanel({ id }: { id: string }) {
  const t = useTranslations("checkout.btc.simulator");
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
  const buttons: [string, object][] = [
    [t("payExact"), { action: "pay", mode: "exact" }],
    [t("payLess"), { action: "pay", mode: "less" }],
    [t("payMore"), { action: "pay", mode: "more" }],
    [t("mine"), { action: "mine", blocks: 1 }],
  ];
  return (
    <section aria-labelledby="sim-title" className="rounded-xl border border-dashed border-amber-400 bg-amber-50 p-4 dark:bg-amber-950">
      <h3 id="sim-title" className="text-sm font-semibold text-amber-950 dark:text-amber-100">
        {t("title")}
      </h3>
      <div className="mt-3 flex flex-wrap gap-2" aria-busy={act.isPending || undefined}>
        {buttons.map(([label, body]) => (
          <button key={label} type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate(body)}>
            {label}
          </button>
        ))}
      </div>
      {act.isError && (
        <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-200">
          {act.error.message}
        </p>
      )}
    </section>
  );
}
