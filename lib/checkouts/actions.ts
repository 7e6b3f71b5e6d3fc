import "server-only";
import type { EventCause } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { railFor } from "@/lib/rails/registry";
import { applyFacts } from "./apply";
import { createCheckout } from "./create";
import { observeCheckout } from "./observe";
import { loadSnapshot } from "./snapshot";

// What a buyer does to a checkout besides paying: "Try again" (a new checkout on the same
// rail with the same buyer input), coming back from the provider (the Interledger wallet's
// redirect), and the sandbox's test controls. The rail supplies the facts; the core applies
// them like any other.

/** "Try again": a new checkout for the same package and the same buyer input (a fresh prompt). Owner only. */
export async function retryCheckout(checkoutId: string, userId: string): Promise<{ checkoutId: string }> {
  const c = await loadSnapshot(checkoutId).catch(() => null);
  const rail = c ? railFor(c.rail) : null;
  if (!c || c.userId !== userId || !rail?.retryFields) throw new AppError("not_found", "No such checkout.");
  if (c.status !== "failed" && c.status !== "expired") throw new AppError("conflict", "This payment is not finished yet.");
  const fields = await rail.retryFields(c);
  return createCheckout({ rail: rail.id, userId, ...(c.sessionId ? { sessionId: c.sessionId } : { packageId: c.packageId ?? "" }), fields });
}

/**
 * "Didn't get the prompt? Send it again" (M-Pesa): first asks the provider what became of the
 * open prompt (so a buyer never has two live prompts for one purchase); if it ended without a
 * payment, "Try again" starts a new checkout with the same buyer input. A prompt the provider
 * still holds open is refused (conflict): the buyer can still answer it, and a second one
 * could be paid too. Owner only.
 */
export async function resendCheckout(checkoutId: string, userId: string): Promise<{ checkoutId: string }> {
  const c = await loadSnapshot(checkoutId).catch(() => null);
  const rail = c ? railFor(c.rail) : null;
  if (!c || c.userId !== userId || !rail?.retryFields) throw new AppError("not_found", "No such checkout.");
  if (c.status === "failed" || c.status === "expired") return retryCheckout(checkoutId, userId);
  if (c.status !== "pending") return { checkoutId }; // paid meanwhile: nothing to send
  const after = await observeCheckout(checkoutId, { force: true, snapshot: c });
  if (after.status === "failed" || after.status === "expired") return retryCheckout(checkoutId, userId);
  if (after.status !== "pending") return { checkoutId };
  throw new AppError(
    "conflict",
    "M-Pesa is still waiting for an answer to the first prompt. If it is gone from your phone, wait a few seconds and send again.",
  );
}

/** The buyer's browser came back from the provider (the route checked it is the owner). */
export async function providerReturn(checkoutId: string, params: URLSearchParams, now = new Date()): Promise<string> {
  const c = await loadSnapshot(checkoutId);
  const rail = railFor(c.rail);
  if (!rail.providerReturn) return "ignored";
  const r = await rail.providerReturn(c, params, now);
  let outcome = r.outcome;
  if (r.facts.length) {
    const applied = await applyFacts(checkoutId, r.facts, r.cause as EventCause, { now, source: rail.id });
    if (applied.status === "failed") outcome = "failed";
  }
  if (r.observe) {
    // Providers usually settle within seconds: look once now, and let the lifecycle take it from here.
    const o = await observeCheckout(checkoutId, { now: new Date() }).catch(() => null);
    if (o?.status === "paid") outcome = "paid";
    await emitEvent(EVENTS.activity, { checkoutId, source: rail.id });
  }
  return outcome;
}

/** The rail sandbox's test controls (simulator pay/mine, the M-Pesa sandbox phone). 404 unless that sandbox serves this checkout. */
export async function sandboxAction(
  checkoutId: string,
  viewer: { id: string; role: string },
  action: unknown,
  opts: { rail: string; adminAllowed: boolean },
): Promise<Record<string, unknown>> {
  const c = await loadSnapshot(checkoutId).catch(() => null);
  const allowed = c && (c.userId === viewer.id || (opts.adminAllowed && viewer.role === "admin"));
  const rail = c && allowed && c.rail === opts.rail ? railFor(c.rail) : null;
  if (!c || !rail?.sandboxControls || !rail.sandbox()) throw new AppError("not_found", "No such checkout.");
  const remainingAmount = c.expectedAmount > c.receivedAmount ? c.expectedAmount - c.receivedAmount : 0n;
  const r = await rail.sandboxControls({ ...c, remainingAmount }, action);
  // The sandbox changed what the provider will say: observe now so the page reacts at once.
  if (r.observe) await observeCheckout(checkoutId).catch(() => undefined);
  return r.result;
}
