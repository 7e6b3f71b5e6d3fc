import "server-only";
import { type CheckoutView, checkoutView, claimObservation, type Viewer } from "@/lib/checkouts/view";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { log } from "@/lib/log";

// The buyer's page polls every few seconds; each poll may ask the chain once, at most every
// OBSERVE_EVERY_MS per checkout across all pollers and instances, so a watched checkout
// reacts within seconds even with no background worker, and a busy page costs the chain
// backend a bounded number of calls.
export const OBSERVE_EVERY_MS = 2_000;

export interface LiveCheckout extends CheckoutView {
  /** False when the chain backend could not be asked just now ("waiting for the network"). */
  networkOk: boolean;
}

export async function liveCheckout(id: string, viewer: Viewer): Promise<LiveCheckout | null> {
  const before = await checkoutView(id, viewer);
  if (!before) return null;
  let networkOk = true;
  // Observe (throttled), then credit, forward and notify right away, so a buyer who keeps
  // the page open sees credits within seconds even with no background worker.
  const observe = await claimObservation(id, OBSERVE_EVERY_MS);
  if (observe || before.status === "paid") {
    const r = await advanceCheckout(id, { skipObserve: !observe });
    for (const e of r.errors) {
      if (e.stage === "observe") networkOk = false;
      log.warn({ err: e.message, stage: e.stage, checkoutId: id }, "advancing the checkout failed; the background sweep retries");
    }
    const after = await checkoutView(id, viewer);
    if (after) return { ...after, networkOk };
  }
  return { ...before, networkOk };
}
