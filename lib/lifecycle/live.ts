import "server-only";
import { SNAPSHOT_SELECT } from "@/lib/checkouts/snapshot";
import { isWatched } from "@/lib/checkouts/statuses";
import { type CheckoutView, checkoutView, claimObservation, type Viewer } from "@/lib/checkouts/view";
import { db } from "@/lib/db/client";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { log } from "@/lib/log";

// The buyer's page polls every few seconds; each poll may ask the chain once, at most every
// OBSERVE_EVERY_MS per checkout across all pollers and instances, so a watched checkout
// reacts within seconds even with no background worker, and a busy page costs the chain
// backend a bounded number of calls. A poll reads the checkout row at most three times: once
// to check who asks and what it needs, once inside the observation's compare-and-set, and
// once for the view it answers with.
export const OBSERVE_EVERY_MS = 2_000;

export interface LiveCheckout extends CheckoutView {
  /** False when the chain backend could not be asked just now ("waiting for the network"). */
  networkOk: boolean;
}

export async function liveCheckout(id: string, viewer: Viewer): Promise<LiveCheckout | null> {
  const now = new Date();
  const c = await db.checkout.findUnique({ where: { id }, select: SNAPSHOT_SELECT });
  if (!c || (c.userId !== viewer.id && viewer.role !== "admin")) return null;
  let networkOk = true;
  // Observe (throttled), then credit, forward and notify right away, so a buyer who keeps
  // the page open sees credits within seconds even with no background worker.
  const observe = isWatched(c, now) && (await claimObservation(id, OBSERVE_EVERY_MS, now));
  if (observe || c.status === "paid") {
    const r = await advanceCheckout(id, { skipObserve: !observe, snapshot: c, now });
    for (const e of r.errors) {
      if (e.stage === "observe") networkOk = false;
      log.warn({ err: e.message, stage: e.stage, checkoutId: id }, "advancing the checkout failed; the background sweep retries");
    }
  }
  const view = await checkoutView(id, viewer);
  return view ? { ...view, networkOk } : null;
}
