import "server-only";
import { db } from "@/lib/db/client";
import { EVENTS, type OutgoingEvent, setEventTap } from "@/lib/outbox/outbox";
import { type HostEventType, recordHostEvent } from "./events";

// Checkout events for hosts, taken from the one event path (lib/outbox): every outbox event
// about a checkout of a host's customer becomes a host event (checkout.created, .credited,
// .failed, .expired, .needs_attention) carrying the checkout with the host's reference and metadata. Keyed by
// the outbox row, so a re-sent outbox event is the same host event.

const TYPES: Partial<Record<string, HostEventType>> = {
  [EVENTS.created]: "checkout.created",
  [EVENTS.credited]: "checkout.credited",
  [EVENTS.failed]: "checkout.failed",
  [EVENTS.expired]: "checkout.expired",
  [EVENTS.needsAttention]: "checkout.needs_attention",
};

export async function checkoutObject(checkoutId: string) {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: {
      id: true,
      sessionId: true,
      rail: true,
      status: true,
      exception: true,
      priceMinor: true,
      currency: true,
      credits: true,
      expectedAmount: true,
      receivedAmount: true,
      amountUnit: true,
      reference: true,
      metadata: true,
      failureMessage: true,
      needsAttention: true,
      attentionReason: true,
      createdAt: true,
      creditedAt: true,
      user: { select: { customer: { select: { externalId: true } } } },
    },
  });
  if (!c?.user.customer) return null;
  return {
    id: c.id,
    object: "checkout" as const,
    session: c.sessionId,
    customer: c.user.customer.externalId,
    rail: c.rail,
    status: c.status,
    exception: c.exception,
    amount: c.priceMinor,
    currency: c.currency,
    credits: c.credits,
    amount_due: c.expectedAmount.toString(),
    amount_received: c.receivedAmount.toString(),
    unit: c.amountUnit,
    reference: c.reference,
    metadata: (c.metadata as Record<string, string> | null) ?? {},
    failure_message: c.failureMessage,
    needs_attention: c.needsAttention,
    attention_reason: c.attentionReason,
    created_at: c.createdAt.toISOString(),
    credited_at: c.creditedAt?.toISOString() ?? null,
  };
}

/** Records the host event an outbox event implies (none for buyers without a host). */
export async function hostEventFromOutbox(event: OutgoingEvent): Promise<void> {
  const type = TYPES[event.name];
  if (!type) return;
  const object = await checkoutObject(event.data.checkoutId);
  if (!object) return;
  await recordHostEvent({ type, sourceKey: `outbox:${event.id}`, customerId: object.customer, data: object });
}

/** Taps the outbox in this process (server start, tests). */
export function installHostEvents(): void {
  setEventTap(hostEventFromOutbox);
}
