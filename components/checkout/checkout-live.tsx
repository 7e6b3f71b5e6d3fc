"use client";

import { onlineManager, QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { buttonPrimary, buttonSecondary, card, textLink } from "@/components/ui";
import { formatMoney, formatRailAmount, formatRate } from "@/lib/format";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { RAIL_PANELS } from "./rail-panels";
import { checkoutScreen, type Phase, type Screen } from "./state";
import { StatusSteps } from "./status-steps";
import { type SupportContact, SupportLine } from "./support";

// The live checkout, one design for every rail: a summary, the step tracker, then exactly one
// of the rail's instructions (while money is due), "Payment received" (the moment it is seen)
// or a result screen. Polls GET /api/checkouts/[id] every 2.5 s while the tab is visible and
// the checkout is open (each poll may trigger a throttled observation server-side), every
// 30 s when hidden, and stops once nothing more can happen. Takes the view as props and
// nothing from the session, so a hosted checkout can reuse it.

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

/** The browser's own idea of the connection (navigator.onLine and its events), and TanStack Query's. */
const useOnline = () =>
  useSyncExternalStore(
    (cb) => {
      window.addEventListener("online", cb);
      window.addEventListener("offline", cb);
      const off = onlineManager.subscribe(cb);
      return () => {
        window.removeEventListener("online", cb);
        window.removeEventListener("offline", cb);
        off();
      };
    },
    () => navigator.onLine && onlineManager.isOnline(),
    () => true,
  );

export function pollInterval(c: Pick<LiveCheckout, "status" | "open" | "monitorUntil" | "serverTime">, visible: boolean): number | false {
  if (FINAL.includes(c.status)) return false;
  if (c.status === "expired" && new Date(c.serverTime) >= new Date(c.monitorUntil)) return false;
  if (!visible) return 30_000;
  return c.open || c.status === "paid" ? 2_500 : 10_000;
}

async function fetchCheckout(id: string): Promise<LiveCheckout> {
  const res = await fetch(`/api/checkouts/${id}`, { cache: "no-store", signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`status ${res.status}`);
  return res.json();
}

export interface CheckoutLiveProps {
  initial: LiveCheckout;
  support: SupportContact;
  /** A host's hosted checkout: where the buyer goes once credited (success_url?session_id=…). */
  successHref?: string | null;
}

export function CheckoutLive(props: CheckoutLiveProps) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { retry: 2, retryDelay: 1500, staleTime: 1000 } } }));
  return (
    <QueryClientProvider client={client}>
      <Checkout {...props} />
    </QueryClientProvider>
  );
}

function Checkout({ initial, support, successHref }: CheckoutLiveProps) {
  const t = useTranslations("checkout");
  const locale = useLocale();
  const visible = usePageVisible();
  const online = useOnline();
  const query = useQuery({
    queryKey: ["checkout", initial.id],
    queryFn: () => fetchCheckout(initial.id),
    initialData: initial,
    refetchInterval: (q) => pollInterval(q.state.data ?? initial, visible),
    refetchIntervalInBackground: true,
  });
  const c = query.data;
  const screen = checkoutScreen(c);
  // Hosted checkout: back to the host's application as soon as the credits are there.
  useEffect(() => {
    if (successHref && (c.status === "credited" || c.status === "forwarded")) window.location.assign(successHref);
  }, [successHref, c.status]);
  const Panel = RAIL_PANELS[c.rail];
  const railName = t(`rail.${c.rail}`);
  const expected = formatRailAmount(c.expectedAmount, c.amountUnit, locale);
  const price = formatMoney(c.priceMinor, c.currency, locale);
  const rate = formatRate({ rateValue: c.rate?.value ?? null, currency: c.currency, amountUnit: c.amountUnit }, locale);
  const polling = pollInterval(c, true) !== false;
  const disconnected = polling && (!online || query.isError || query.isPaused || query.failureCount > 0);

  // Focus follows the new content: when the phase changes (payment seen, paid, failed…),
  // the heading of what replaced the old content takes focus; the live region announces it.
  const heading = useRef<HTMLHeadingElement>(null);
  const lastPhase = useRef<Phase>(screen.phase);
  useEffect(() => {
    if (lastPhase.current !== screen.phase) {
      lastPhase.current = screen.phase;
      heading.current?.focus();
    }
  }, [screen.phase]);

  return (
    <div className="space-y-5">
      <section aria-labelledby="summary-title" className={`${card} space-y-4 p-4 sm:p-6`}>
        <h2 id="summary-title" className="sr-only">
          {t("summary.title")}
        </h2>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <p className="text-sm text-slate-600 dark:text-slate-400">{t("summary.payingFor")}</p>
            <p className="text-lg font-semibold text-slate-900 dark:text-white">
              {c.packageName} · {t("credits", { count: c.credits })}
            </p>
          </div>
          <div className="text-right">
            <p className="text-lg font-semibold tabular text-slate-900 dark:text-white" data-testid="price">
              {price}
            </p>
            {c.amountUnit !== c.currency && expected !== price && (
              <p className="text-sm tabular text-slate-700 dark:text-slate-300" data-testid="rail-amount">
                {t("summary.railAmount", { amount: expected, rail: railName })}
              </p>
            )}
          </div>
        </div>
        {rate && (
          <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="rate">
            {t("summary.rate", { rate, source: c.rate?.source ?? "" })}
            {c.network && c.network !== "mainnet" ? ` · ${t("summary.network", { network: c.network })}` : ""}
          </p>
        )}
        <StatusSteps steps={screen.steps} confirming={screen.confirming} />
      </section>

      {disconnected && (
        <div
          role="status"
          className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
        >
          <p>
            <strong className="font-semibold">{online ? t("connection.reconnecting") : t("connection.offline")}</strong> {t("connection.safe")}
          </p>
          <button type="button" className={buttonSecondary} onClick={() => query.refetch()} disabled={query.isFetching && online}>
            {query.isFetching && online ? t("connection.checking") : t("connection.retry")}
          </button>
        </div>
      )}
      {!disconnected && !c.networkOk && polling && (
        <p
          role="status"
          className="rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100"
        >
          {t("connection.network")}
        </p>
      )}

      <section aria-labelledby="phase-title" aria-live="polite" className={`${card} space-y-4 p-4 sm:p-6`} data-testid="phase" data-phase={screen.phase}>
        <h2 id="phase-title" ref={heading} tabIndex={-1} className="text-lg font-semibold text-slate-900 outline-none dark:text-white">
          {t(`phase.${screen.phase}.title`, { rail: railName, n: c.confirmationsRequired })}
        </h2>
        <PhaseBody c={c} screen={screen} support={support} />
        {Panel && <Panel c={c} screen={screen} />}
      </section>

      {screen.excess && <ExcessNotice c={c} excess={screen.excess} support={support} />}
      {screen.lostPayment && (
        <p
          role="alert"
          className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          {t("lostPayment")}
        </p>
      )}
    </div>
  );
}

function PhaseBody({ c, screen, support }: { c: LiveCheckout; screen: Screen; support: SupportContact }) {
  const t = useTranslations("checkout");
  const locale = useLocale();
  const amount = (v: string) => formatRailAmount(v, c.amountUnit, locale);
  const again = (
    <Link href={c.startNewHref} className={buttonPrimary}>
      {t("startNew")}
    </Link>
  );
  switch (screen.phase) {
    case "pay":
      return null; // the rail's panel holds the instructions
    case "remainder":
      return (
        <p className="text-slate-800 dark:text-slate-200" data-testid="remainder-notice">
          {t.rich("phase.remainder.body", {
            received: amount(c.receivedAmount),
            expected: amount(c.expectedAmount),
            remaining: amount(c.remainingAmount),
            strong: (chunks) => (
              <strong className="font-semibold" data-testid="remaining">
                {chunks}
              </strong>
            ),
          })}
        </p>
      );
    case "received":
      return (
        <div className="space-y-3">
          <p className="text-slate-800 dark:text-slate-200">
            {t(`phase.received.body.${c.rail === "btc" ? "btc" : "provider"}`, { amount: amount(c.receivedAmount) })}
          </p>
          {screen.confirming && (
            <div
              role="progressbar"
              aria-label={t("confirmations")}
              aria-valuemin={0}
              aria-valuemax={screen.confirming.of}
              aria-valuenow={screen.confirming.n}
              aria-valuetext={t("steps.confirmingN", screen.confirming)}
              className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
            >
              <div className="h-full bg-brand-600 transition-all duration-500" style={{ width: `${(screen.confirming.n / screen.confirming.of) * 100}%` }} />
            </div>
          )}
          <p className="text-sm text-slate-600 dark:text-slate-400">{t("canClose")}</p>
        </div>
      );
    case "paid":
      return <p className="text-slate-800 dark:text-slate-200">{t("phase.paid.body")}</p>;
    case "credited":
      return (
        <div className="space-y-3">
          <p className="text-slate-800 dark:text-slate-200">{t("phase.credited.body", { credits: t("credits", { count: c.credits }) })}</p>
          <div className="flex flex-wrap gap-3">
            <Link href="/account" className={buttonPrimary}>
              {t("seeBalance")}
            </Link>
            <Link href={`/account/receipts/${c.id}`} className={buttonSecondary}>
              {t("receipt")}
            </Link>
          </div>
        </div>
      );
    default:
      return <Outcome c={c} phase={screen.phase} support={support} again={again} />;
  }
}

/** A checkout that ended without credits: what happened, what to do, and what happens to the money. */
function Outcome({ c, phase, support, again }: { c: LiveCheckout; phase: Phase; support: SupportContact; again: React.ReactNode }) {
  const t = useTranslations("checkout");
  const locale = useLocale();
  const received = formatRailAmount(c.receivedAmount, c.amountUnit, locale);
  const reason = failureReason(c, t);
  const money = phase === "failed" ? (c.receivedAmount === "0" ? "failedNothing" : "failedHeld") : phase;
  // A failed provider rail offers its own "Try again" in the panel below; the link here starts over.
  return (
    <div className="space-y-3">
      <dl className="space-y-3 text-sm">
        <div>
          <dt className="font-semibold text-slate-900 dark:text-white">{t("outcome.what")}</dt>
          <dd className="mt-0.5 text-slate-800 dark:text-slate-200" data-testid="outcome-what">
            {phase === "failed" ? reason : t(`phase.${phase}.what`, { received })}
          </dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-900 dark:text-white">{t("outcome.money")}</dt>
          <dd className="mt-0.5 text-slate-800 dark:text-slate-200">{t(`money.${money}`, { received })}</dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-900 dark:text-white">{t("outcome.todo")}</dt>
          <dd className="mt-0.5 text-slate-800 dark:text-slate-200">{t(`todo.${money}`)}</dd>
        </div>
      </dl>
      <SupportLine support={support} reference={c.id} />
      <div className="flex flex-wrap gap-3">{again}</div>
    </div>
  );
}

/** The provider's reason in the buyer's language where we know it (M-Pesa result codes), else as the provider said it. */
function failureReason(c: LiveCheckout, t: ReturnType<typeof useTranslations>): string {
  const code = c.details.resultCode;
  if (c.rail === "mpesa" && typeof code === "number" && t.has(`mpesaCodes.${code}`)) return t(`mpesaCodes.${code}`);
  return c.failureMessage ? t("failedBecause", { reason: c.failureMessage }) : t("failedUnknown");
}

function ExcessNotice({ c, excess, support }: { c: LiveCheckout; excess: NonNullable<Screen["excess"]>; support: SupportContact }) {
  const t = useTranslations("checkout.excess");
  const locale = useLocale();
  const amount = (v: string) => formatRailAmount(v, c.amountUnit, locale);
  return (
    <section
      role="status"
      aria-labelledby="excess-title"
      className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      data-testid="excess-notice"
    >
      <h2 id="excess-title" className="font-semibold">
        {t("title", { payments: excess.payments })}
      </h2>
      <p>
        {t("total", { payments: excess.payments, total: amount(excess.total) })}{" "}
        {excess.extra !== "0" ? t("extra", { extra: amount(excess.extra), expected: amount(c.expectedAmount) }) : t("noExtra")}
      </p>
      {excess.extra !== "0" && <p>{t("what")}</p>}
      {excess.extra !== "0" && <SupportLine support={support} reference={c.id} />}
      <p>
        <Link href="/account" className={textLink}>
          {t("account")}
        </Link>
      </p>
    </section>
  );
}
