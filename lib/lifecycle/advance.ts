import "server-only";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { forwardCheckout } from "@/lib/rails/bitcoin/forward";
import { notifyCredited } from "./notify";

// Moves one checkout as far as it can go right now: observe (while open, or while late
// payments are still watched) → credit when paid → forward (hot wallet) → notify. Each stage
// is idempotent on its own, so running this twice, or beside the Inngest lifecycle and the
// reconciler, changes nothing the second time. Used by the reconciler, by webhook activity
// in the in-process mode, and by the buyer's page poll (so credits show within seconds).

export interface AdvanceResult {
  checkoutId: string;
  from: string;
  status: string;
  exception: string | null;
  observed: boolean;
  /** Stages that changed something: "observed", "paid", "expired", "credited", "forwarded", "notified". */
  did: string[];
  errors: { stage: "observe" | "credit" | "forward" | "notify"; message: string }[];
  chainCalls: number;
}

export interface AdvanceOptions {
  now?: Date;
  tipHeight?: number;
  /** Skip the observation (it was just done by the caller). */
  skipObserve?: boolean;
}

const OPEN = ["pending", "confirming"];

export function isWatched(c: { status: string; monitorUntil: Date }, now: Date): boolean {
  return OPEN.includes(c.status) || (c.status === "expired" && c.monitorUntil > now);
}

export async function advanceCheckout(checkoutId: string, opts: AdvanceOptions = {}): Promise<AdvanceResult> {
  const now = opts.now ?? new Date();
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { status: true, exception: true, monitorUntil: true, notifiedAt: true, rail: true },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  const r: AdvanceResult = { checkoutId, from: c.status, status: c.status, exception: c.exception, observed: false, did: [], errors: [], chainCalls: 0 };
  const fail = (stage: AdvanceResult["errors"][number]["stage"], err: unknown) =>
    r.errors.push({ stage, message: err instanceof Error ? err.message : String(err) });

  if (!opts.skipObserve && isWatched(c, now)) {
    try {
      const o = await observeCheckout(checkoutId, { now, tipHeight: opts.tipHeight });
      r.observed = true;
      r.chainCalls += o.chainCalls;
      r.status = o.status;
      r.exception = o.exception;
      if (o.changed) r.did.push("observed");
      if (o.status !== o.from && o.status === "paid") {
        r.did.push("paid");
        await emitEvent(EVENTS.paid, { checkoutId, source: "chain" });
      }
      if (o.status !== o.from && o.status === "expired") r.did.push("expired");
    } catch (err) {
      fail("observe", err);
    }
  }

  if (r.status === "paid") {
    try {
      const credit = await creditCheckout(checkoutId, now);
      if (credit.outcome === "credited") {
        r.did.push("credited");
        await emitEvent(EVENTS.credited, { checkoutId, source: "lifecycle" });
      }
      if (credit.outcome !== "not_creditable") r.status = "credited";
    } catch (err) {
      fail("credit", err);
    }
  }

  if (r.status === "credited" && c.rail === "btc" && bitcoinSettings().source === "hot") {
    try {
      const f = await forwardCheckout(checkoutId, { now });
      if (f.outcome === "forwarded") {
        r.did.push("forwarded");
        r.status = "forwarded";
      }
    } catch (err) {
      fail("forward", err);
    }
  }

  if ((r.status === "credited" || r.status === "forwarded") && !c.notifiedAt) {
    try {
      const n = await notifyCredited(checkoutId, now);
      if (n.outcome === "notified") r.did.push("notified");
    } catch (err) {
      fail("notify", err);
    }
  }
  return r;
}
