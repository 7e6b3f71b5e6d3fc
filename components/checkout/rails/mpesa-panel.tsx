"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { buttonPrimary, buttonSecondary } from "@/components/ui";
import { formatKes } from "@/lib/format";
import type { RailPanelProps } from "../rail-panels";
import { SandboxBadge } from "./rail-panel";

// M-Pesa Express: the prompt is on the buyer's phone. While it waits, what to do there; after
// MPESA_QUERY_AFTER_SECONDS without an answer, "Didn't get the prompt? Send it again" (the
// server first asks M-Pesa what became of the first prompt, so one is never paid twice). A
// failed payment (its reason is on the shared result screen) offers "Try again": a fresh
// prompt to the same phone. With the local sandbox, the "buyer's phone" is the panel below.
// Facts come from the rail's viewDetails: phoneMasked, amountKes, receiptNumber, localSandbox,
// testMoney, prompted, promptedAt, resendAfterSeconds, resultCode.

async function post(url: string, body?: object): Promise<{ url?: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(json?.error?.message ?? `status ${res.status}`);
  return json ?? {};
}

/** True once `seconds` have passed since `from` (server time, corrected for the browser's clock). */
function useAfter(from: string | null, seconds: number, serverTime: string): boolean {
  const [skew] = useState(() => new Date(serverTime).getTime() - Date.now());
  const due = from ? new Date(from).getTime() + seconds * 1000 : null;
  const [passed, setPassed] = useState(() => due !== null && Date.now() + skew >= due);
  useEffect(() => {
    if (due === null) return;
    const left = due - (Date.now() + skew);
    if (left <= 0) return setPassed(true);
    setPassed(false);
    const timer = setTimeout(() => setPassed(true), left);
    return () => clearTimeout(timer);
  }, [due, skew]);
  return passed;
}

export function MpesaPanel({ c, screen }: RailPanelProps) {
  const t = useTranslations("checkout.mpesa");
  const locale = useLocale();
  const d = c.details;
  const phone = typeof d.phoneMasked === "string" ? d.phoneMasked : t("yourPhone");
  const amount = formatKes(typeof d.amountKes === "number" ? d.amountKes : c.expectedAmount, locale);
  const receipt = typeof d.receiptNumber === "string" ? d.receiptNumber : null;
  const promptedAt = typeof d.promptedAt === "string" ? d.promptedAt : null;
  const resendAfter = typeof d.resendAfterSeconds === "number" ? d.resendAfterSeconds : 60;
  const slow = useAfter(promptedAt, resendAfter, c.serverTime);
  const router = useRouter();
  const qc = useQueryClient();

  const retry = useMutation({
    mutationFn: () => post(`/api/checkouts/${c.id}/mpesa/retry`),
    onSuccess: (r) => router.push(r.url ?? "/"),
  });
  const resend = useMutation({
    mutationFn: () => post(`/api/checkouts/${c.id}/mpesa/resend`),
    onSuccess: (r) => (r.url && r.url !== `/checkout/${c.id}` ? router.push(r.url) : qc.invalidateQueries({ queryKey: ["checkout", c.id] })),
  });
  const act = useMutation({
    mutationFn: (action: string) => post(`/api/checkouts/${c.id}/mpesa/sandbox`, { action }),
    onSettled: () => qc.invalidateQueries({ queryKey: ["checkout", c.id] }),
  });
  const waiting = screen.phase === "pay" && d.prompted === true;

  return (
    <div className="space-y-4">
      {d.testMoney === true && <SandboxBadge />}
      {waiting && (
        <div className="space-y-1" data-testid="pay-instructions">
          <p className="text-slate-900 dark:text-white" data-testid="mpesa-instructions">
            {t.rich("checkPhone", { phone, amount, strong: (chunks) => <strong className="font-semibold tabular">{chunks}</strong> })}
          </p>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("updates")}</p>
        </div>
      )}

      {waiting && slow && (
        <div className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="mpesa-resend">
          <p className="text-sm text-slate-800 dark:text-slate-200">{t("noPrompt")}</p>
          <button
            type="button"
            className={buttonSecondary}
            disabled={resend.isPending}
            aria-busy={resend.isPending || undefined}
            onClick={() => resend.mutate()}
          >
            {resend.isPending ? t("resending") : t("resend")}
          </button>
          {resend.isError && (
            <p role="alert" className="text-sm text-red-800 dark:text-red-200">
              {resend.error.message}
            </p>
          )}
        </div>
      )}

      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-600 dark:text-slate-400">{t("amount")}</dt>
        <dd className="font-semibold tabular text-slate-900 dark:text-white">{amount}</dd>
        <dt className="text-slate-600 dark:text-slate-400">{t("phone")}</dt>
        <dd className="tabular text-slate-900 dark:text-white">{phone}</dd>
        {receipt && (
          <>
            <dt className="text-slate-600 dark:text-slate-400">{t("receipt")}</dt>
            <dd>
              <code className="text-slate-900 dark:text-white" data-testid="mpesa-receipt">
                {receipt}
              </code>
            </dd>
          </>
        )}
      </dl>

      {(c.status === "failed" || c.status === "expired") && c.receivedAmount === "0" && (
        <div className="space-y-2">
          <button type="button" className={buttonPrimary} disabled={retry.isPending} aria-busy={retry.isPending || undefined} onClick={() => retry.mutate()}>
            {retry.isPending ? t("sendingNew") : t("tryAgain")}
          </button>
          {retry.isError && (
            <p role="alert" className="text-sm text-red-800 dark:text-red-200">
              {retry.error.message}
            </p>
          )}
        </div>
      )}

      {d.localSandbox === true && c.open && d.prompted === true && (
        <section aria-labelledby="mpesa-sandbox-title" className="rounded-xl border border-dashed border-amber-400 bg-amber-50 p-4 dark:bg-amber-950">
          <h3 id="mpesa-sandbox-title" className="text-sm font-semibold text-amber-950 dark:text-amber-100">
            {t("sandbox.title")}
          </h3>
          <div className="mt-3 flex flex-wrap gap-2">
            {(["approve", "cancel", "wrong_pin", "insufficient_funds"] as const).map((a) => (
              <button key={a} type="button" className={buttonSecondary} disabled={act.isPending} onClick={() => act.mutate(a)}>
                {t(`sandbox.${a}`)}
              </button>
            ))}
          </div>
          {act.isError && (
            <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-200">
              {act.error.message}
            </p>
          )}
        </section>
      )}
    </div>
  );
}
