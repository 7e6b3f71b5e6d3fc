import "server-only";
import { type ObserveOutcome, observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";

// Expiry: at expiresAt, one last observation decides. Nothing arrived ⇒ expired; something
// arrived ⇒ the state machine records it (underpaid, paid late, or still confirming a payment
// made in time — which then completes normally). The observation applies the change by
// compare-and-set with an "expiry" timeline event, so running this twice changes nothing.

export type ExpireOutcome =
  | { outcome: "not_due"; status: string; expiresAt: string }
  | { outcome: "not_open"; status: string; exception: string | null }
  | { outcome: "expired"; status: string; exception: string | null; observation: ObserveOutcome }
  /** The last look found it paid in time. */
  | { outcome: "settled"; status: string; exception: string | null; observation: ObserveOutcome }
  /** Enough arrived before expiry: still waiting for confirmations (not expired). */
  | { outcome: "still_open"; status: string; exception: string | null; observation: ObserveOutcome };

export async function expireCheckout(checkoutId: string, now = new Date()): Promise<ExpireOutcome> {
  const c = await db.checkout.findUnique({ where: { id: checkoutId }, select: { status: true, exception: true, expiresAt: true } });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (c.status !== "pending" && c.status !== "confirming") return { outcome: "not_open", status: c.status, exception: c.exception };
  if (now < c.expiresAt) return { outcome: "not_due", status: c.status, expiresAt: c.expiresAt.toISOString() };
  const observation = await observeCheckout(checkoutId, { now });
  const open = observation.status === "pending" || observation.status === "confirming";
  const outcome = open ? "still_open" : observation.status === "expired" ? "expired" : "settled";
  return { outcome, status: observation.status, exception: observation.exception, observation };
}
