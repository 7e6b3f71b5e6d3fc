import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { inngestConfigured } from "@/lib/env";
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

// With Inngest configured, lib/ sends its outbox events through this client. The outbox row id
// becomes the event id, so a re-send after a crash is dropped by Inngest as a duplicate.
if (inngestConfigured()) {
  setEventSender(async (events) => {
    await inngest.send(events.map((e) => ({ id: e.id, name: e.name, data: { ...e.data } })));
  });
}
