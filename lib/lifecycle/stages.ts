import "server-only";
import { applyFacts } from "@/lib/checkouts/apply";
import { type CreditOutcome, creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { loadSnapshot } from "@/lib/checkouts/snapshot";
import { isCredited, isWatched, isWatchedAfterCredit, SETTLED_STATUSES } from "@/lib/checkouts/statuses";
import { env } from "@/lib/env";
import { metrics } from "@/lib/metrics";
import { railFor } from "@/lib/rails/registry";
import type { CheckoutSnapshot } from "@/lib/rails/types";
import { type NotifyOutcome, notifyCredited } from "./notify";

// The lifecycle of a checkout, defined once:
//   on created → observe ⟲ (wait for activity — a webhook, a chain notification — or a
//   timeout that grows with the checkout's age) until paid, expired or failed; after expiry
//   keep watching until monitorUntil for late payments → credit → after credit (the rail's
//   own work: the Bitcoin hot-wallet sweep, checked until it confirms) → notify.
// runLifecycle is that sequence, written against a small backend: the Inngest function runs
// it with durable steps, waits and sleeps; the in-process driver, the reconciler, webhook
// activity and the page poll run it with steps that just run and waits that stop (the next
// sweep or event resumes it). Every stage is one lib call with a JSON-safe result, and safe
// to run twice.

export interface LifecycleBackend {
  /** One step: its result is stored and replayed (Inngest) or simply returned. */
  step<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** Wait for activity on the checkout or `seconds`; false: stop here for now. */
  waitForActivity(id: string, checkoutId: string, seconds: number): Promise<boolean>;
  /** Wait before checking the after-credit work again; false: stop checking for now. */
  sleep(id: string, duration: string): Promise<boolean>;
  /** A stage failed: rethrow (Inngest retries the step) or record it and go on (in-process). */
  failed(stage: Stage, err: unknown): void;
}

export type Stage = "observe" | "credit" | "forward" | "notify";

export interface WatchResult {
  checkoutId: string;
  rail: string;
  from: string;
  status: string;
  exception: string | null;
  changed: boolean;
  observed: boolean;
  chainCalls: number;
  /** Keep observing: open, or expired and still inside the late-payment window. */
  watching: boolean;
  /** How long to wait for activity before looking again (adaptive; never past the next deadline). */
  waitSeconds: number;
  at: string;
}

export interface LifecycleRun {
  checkoutId: string;
  status: string;
  exception: string | null;
  credited: boolean;
  /** The rail's after-credit outcome (Bitcoin hot wallet: "broadcast", "forwarded"…), or null. */
  afterCredit: string | null;
  notify: NotifyOutcome["outcome"] | null;
  observed: boolean;
  /** Stages that changed something: "observed", "paid", "expired", "credited", "forwarded", "notified". */
  did: string[];
  chainCalls: number;
}

/** Most observation rounds one run makes (Inngest allows 1,000 steps; 24 h of waits needs ~150). */
export const MAX_ROUNDS = 400;
/** After-credit checks (a sweep usually confirms within a few blocks). */
export const MAX_AFTER_CREDIT_CHECKS = 36;

/** [max age, wait]: fresh checkouts are looked at often, old ones rarely. */
export const LIFECYCLE_WAIT: readonly (readonly [maxAgeMs: number, waitSeconds: number])[] = [
  [10 * 60_000, 30],
  [60 * 60_000, 120],
  [6 * 3_600_000, 600],
  [Number.POSITIVE_INFINITY, 1_800],
];

export function lifecycleWaitSeconds(c: { createdAt: Date; expiresAt: Date; monitorUntil: Date; status: string }, now: Date): number {
  const age = now.getTime() - c.createdAt.getTime();
  let wait = LIFECYCLE_WAIT.find(([maxAge]) => age < maxAge)![1];
  // Wake up right after the next deadline so expiry (or the window's end) is decided on time.
  const deadline = c.status === "expired" ? c.monitorUntil : c.expiresAt;
  const untilDeadline = Math.ceil((deadline.getTime() - now.getTime()) / 1000) + 1;
  if (untilDeadline > 0) wait = Math.min(wait, untilDeadline);
  return Math.max(1, wait);
}

// ── The stages: one lib call each ──

/** Once, when the lifecycle starts: the rail's own setup (an Electrum address subscription). */
export async function onCreated(checkoutId: string): Promise<{ done: boolean; reason?: string }> {
  const c = await loadSnapshot(checkoutId);
  const rail = railFor(c.rail);
  return rail.onCreated ? rail.onCreated(c) : { done: false, reason: "nothing to do on this rail" };
}

/** Observe once while watched (deciding expiry when it is due) and say whether and how long to keep waiting. */
export async function watchCheckout(
  checkoutId: string,
  opts: { now?: Date; tipHeight?: number; skipObserve?: boolean; snapshot?: CheckoutSnapshot } = {},
): Promise<WatchResult> {
  const now = opts.now ?? new Date();
  const c = opts.snapshot ?? (await loadSnapshot(checkoutId));
  let status: string = c.status;
  let exception: string | null = c.exception;
  let changed = false;
  let observed = false;
  let chainCalls = 0;
  // Credited addresses are looked at too (money paid after crediting, reorgs), but they do not
  // keep the lifecycle waiting: the reconciler looks again at its slow after-credit pace.
  if (!opts.skipObserve && (isWatched(c, now) || isWatchedAfterCredit(c, now, env().WATCH_AFTER_CLOSE_DAYS))) {
    const o = await observeCheckout(checkoutId, { now, tipHeight: opts.tipHeight, snapshot: c });
    ({ status, exception, changed, chainCalls } = o);
    observed = true;
  }
  const watching = isWatched({ status, monitorUntil: c.monitorUntil }, now);
  return {
    checkoutId,
    rail: c.rail,
    from: c.status,
    status,
    exception,
    changed,
    observed,
    chainCalls,
    watching,
    waitSeconds: watching ? lifecycleWaitSeconds({ ...c, status }, now) : 0,
    at: now.toISOString(),
  };
}

export interface AfterCreditStep {
  outcome: string;
  again: boolean;
  [detail: string]: string | number | boolean | null;
}

/** The rail's after-credit work (Bitcoin hot wallet: sweep to BTC_FORWARD_ADDRESS), its facts applied by the core. */
export async function afterCreditCheckout(checkoutId: string, opts: { now?: Date; railOptions?: unknown } = {}): Promise<AfterCreditStep> {
  const now = opts.now ?? new Date();
  const c = await loadSnapshot(checkoutId);
  const rail = railFor(c.rail);
  if (!rail.afterCredit?.applies()) return { outcome: "not_applicable", again: false, reason: "nothing to do after crediting on this rail" };
  const r = await rail.afterCredit.run(c, now, opts.railOptions);
  let outcome = r.outcome;
  if (r.facts.length) {
    const applied = await applyFacts(checkoutId, r.facts, "chain", { now, source: rail.id });
    // The sweep confirmed but the checkout could not move (not credited any more): keep looking.
    if (outcome === "forwarded" && applied.status !== "forwarded") outcome = "broadcast";
  }
  return { ...(r.detail ?? {}), outcome, again: r.again || outcome === "broadcast" };
}

// ── The sequence ──

/** The step's work, timed into satchel_lifecycle_step_seconds (only when it runs: Inngest replays a finished step from memory). */
function timed<T>(stage: string, fn: () => Promise<T>): () => Promise<T> {
  return async () => {
    const end = metrics().stepSeconds.startTimer({ stage });
    try {
      const r = await fn();
      end({ outcome: "ok" });
      return r;
    } catch (err) {
      end({ outcome: "error" });
      throw err;
    }
  };
}

export async function runLifecycle(
  checkoutId: string,
  b: LifecycleBackend,
  opts: { created?: boolean; now?: Date; tipHeight?: number; skipObserve?: boolean; snapshot?: CheckoutSnapshot } = {},
): Promise<LifecycleRun> {
  const run: LifecycleRun = {
    checkoutId,
    status: opts.snapshot?.status ?? "",
    exception: opts.snapshot?.exception ?? null,
    credited: false,
    afterCredit: null,
    notify: null,
    observed: false,
    did: [],
    chainCalls: 0,
  };
  const guard = async <T>(stage: Stage, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (stage === "forward") metrics().forwardFailures.inc({ rail: opts.snapshot?.rail ?? "btc" });
      b.failed(stage, err);
      return undefined;
    }
  };
  const saw = (w: WatchResult) => {
    run.status = w.status;
    run.exception = w.exception;
    run.chainCalls += w.chainCalls;
    if (w.observed) run.observed = true;
    if (w.changed) run.did.push("observed");
    if (w.status !== w.from && (w.status === "paid" || w.status === "expired")) run.did.push(w.status);
  };

  if (opts.created)
    await b.step(
      "on-created",
      timed("on-created", () => onCreated(checkoutId)),
    );
  let watch = await guard("observe", () =>
    b.step(
      "observe-0",
      timed("observe", () => watchCheckout(checkoutId, { now: opts.now, tipHeight: opts.tipHeight, skipObserve: opts.skipObserve, snapshot: opts.snapshot })),
    ),
  );
  // The observation failed (the chain is down): only a watched checkout is observed, and a
  // watched one is not paid yet, so there is nothing further to do until the next look.
  if (!watch) return run;
  saw(watch);
  for (let round = 1; watch.watching && round <= MAX_ROUNDS; round++) {
    if (!(await b.waitForActivity(`wait-activity-${round}`, checkoutId, watch.waitSeconds))) break;
    watch = await b.step(
      `observe-${round}`,
      timed("observe", () => watchCheckout(checkoutId)),
    );
    saw(watch);
  }
  if (!(SETTLED_STATUSES as readonly string[]).includes(watch.status)) return run;

  const credit: CreditOutcome | undefined = await guard("credit", () =>
    b.step(
      "credit",
      timed("credit", () => creditCheckout(checkoutId, opts.now)),
    ),
  );
  if (!credit) return run;
  if (credit.outcome === "not_creditable") {
    run.status = credit.status;
    run.exception = credit.exception;
    return run;
  }
  run.credited = true;
  if (credit.outcome === "credited") run.did.push("credited");
  if (!isCredited(run.status)) run.status = "credited";

  // A forwarded checkout paid again after crediting has money to sweep once more.
  if (railFor(watch.rail).afterCredit?.applies() && (run.status !== "forwarded" || run.exception === "paid_after_credit")) {
    for (let check = 0; check < MAX_AFTER_CREDIT_CHECKS; check++) {
      const ac = await guard("forward", () =>
        b.step(
          `after-credit-${check}`,
          timed("forward", () => afterCreditCheckout(checkoutId, { now: opts.now })),
        ),
      );
      if (!ac) break;
      run.afterCredit = ac.outcome;
      if (ac.outcome === "forwarded") {
        run.did.push("forwarded");
        run.status = "forwarded";
      }
      if (!ac.again) break;
      if (!(await b.sleep(`wait-after-credit-${check}`, "10m"))) break;
    }
  }

  const notify = await guard("notify", () =>
    b.step(
      "notify",
      timed("notify", () => notifyCredited(checkoutId, opts.now)),
    ),
  );
  if (notify) {
    run.notify = notify.outcome;
    if (notify.outcome === "notified") run.did.push("notified");
  }
  return run;
}
