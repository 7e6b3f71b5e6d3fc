import "server-only";
import { EVENTS, setLocalHandler } from "@/lib/outbox/outbox";
import { advanceCheckout } from "./advance";
import { onCreated } from "./stages";

// The in-process mode's event handlers: what the Inngest functions would do on each event,
// run here through the same lib/ functions. Registered by the driver at start, and by
// anything (tests, scripts) that wants events handled without Inngest.

export function registerLocalHandlers(): void {
  setLocalHandler(EVENTS.created, async ({ checkoutId }) => onCreated(checkoutId));
  setLocalHandler(EVENTS.activity, async ({ checkoutId }) => {
    const r = await advanceCheckout(checkoutId);
    // Activity we could not act on (the chain was unreachable) stays unsent for the reconciler.
    if (r.errors.some((e) => e.stage === "observe")) throw new Error(r.errors.map((e) => `${e.stage}: ${e.message}`).join("; "));
    return r;
  });
}
