import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { EVENTS, setEventSender } from "@/lib/outbox/outbox";

// The Inngest client and Satchel's typed events. Names are "satchel/checkout.<what>"; data is
// always the checkout id (plus what caused it), so events stay small and the functions read
// the current state from the database instead of trusting a stale payload.

export const inngest = new Inngest({ id: "satchel" });

const checkoutData = z.object({ checkoutId: z.string().min(1), source: z.string().optional() });

export const checkoutCreated = eventType(EVENTS.created, { schema: checkoutData });
/** Something happened that may move the checkout: a webhook, a chain notification. */
export const checkoutActivity = eventType(EVENTS.activity, { schema: checkoutData });
export const checkoutPaid = eventType(EVENTS.paid, { schema: checkoutData });
export const checkoutCredited = eventType(EVENTS.credited, { schema: checkoutData });
export const checkoutFailed = eventType(EVENTS.failed, { schema: checkoutData });
export const checkoutExpired = eventType(EVENTS.expired, { schema: checkoutData });

// lib/ sends its outbox events through this client whenever Inngest is configured. The outbox
// row id becomes the event id, so a re-send after a crash is dropped by Inngest as a duplicate.
// Registered by instrumentation.ts at start, not on import: importing this module (`next build`
// collects the serve route's configuration) must not read or validate the environment.
export function sendEventsThroughInngest(): void {
  setEventSender(async (events) => {
    await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: { ...e.data } })));
  });
}
