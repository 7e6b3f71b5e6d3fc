import "server-only";
import { type ObserveOutcome, observeCheckout } from "@/lib/checkouts/observe";
import { loadSnapshot } from "@/lib/checkouts/snapshot";
import { isOpen } from "@/lib/checkouts/statuses";

// Expiry: at expiresAt, one last observation decides. Nothing arrived ⇒ expired; something
// arrived ⇒ the rule records it (underpaid, paid late, or still confirming a payment made in
// time — which then completes normally). The observation applies the change by
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
  const c = await loadSnapshot(checkoutId);
  if (!isOpen(c.status)) return { outcome: "not_open", status: c.status, exception: c.exception };
  if (now < c.expiresAt) return { outcome: "not_due", status: c.status, expiresAt: c.expiresAt.toISOString() };
  const observation = await observeCheckout(checkoutId, { now, snapshot: c });
  const outcome = isOpen(observation.status) ? "still_open" : observation.status === "expired" ? "expired" : "settled";
  return { outcome, status: observation.status, exception: observation.exception, observation };
}
