import "server-only";
import { type CreditOutcome, creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { isWatched } from "./advance";

// The step functions of the Inngest lifecycle (inngest/functions/checkout-lifecycle.ts):
// each does one thing and returns a JSON-safe result (strings, numbers, ISO dates), because
// Inngest stores step results as JSON and replays them.

export interface WatchResult {
  checkoutId: string;
  status: string;
  exception: string | null;
  changed: boolean;
  /** Keep observing: open, or expired and still inside the late-payment window. */
  watching: boolean;
  /** How long to wait for activity before looking again (adaptive; never past the next deadline). */
  waitSeconds: number;
  at: string;
}

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

/** Observe once (deciding expiry when it is due) and say whether and how long to keep waiting. */
export async function watchCheckout(checkoutId: string, now = new Date()): Promise<WatchResult> {
  const o = await observeCheckout(checkoutId, { now });
  if (o.status !== o.from && o.status === "paid") await emitEvent(EVENTS.paid, { checkoutId, source: "chain" });
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { status: true, exception: true, createdAt: true, expiresAt: true, monitorUntil: true },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  const watching = isWatched(c, now);
  return {
    checkoutId,
    status: c.status,
    exception: c.exception,
    changed: o.changed,
    watching,
    waitSeconds: watching ? lifecycleWaitSeconds(c, now) : 0,
    at: now.toISOString(),
  };
}

/** Credit a paid checkout (exactly once) and announce it. */
export async function creditAndAnnounce(checkoutId: string, now = new Date()): Promise<CreditOutcome> {
  const r = await creditCheckout(checkoutId, now);
  if (r.outcome === "credited") await emitEvent(EVENTS.credited, { checkoutId, source: "lifecycle" });
  return r;
}
