import "server-only";
import { log } from "@/lib/log";
import { observeBtcCheckout } from "@/lib/rails/bitcoin/observe";
import { checkoutView, claimObservation, type CheckoutView, type Viewer } from "./view";

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
  if (before.rail === "btc" && (await claimObservation(id, OBSERVE_EVERY_MS))) {
    try {
      await observeBtcCheckout(id);
    } catch (err) {
      networkOk = false;
      log.warn({ err, checkoutId: id }, "observation failed; the page shows 'waiting for the network'");
    }
    const after = await checkoutView(id, viewer);
    if (after) return { ...after, networkOk };
  }
  return { ...before, networkOk };
}
