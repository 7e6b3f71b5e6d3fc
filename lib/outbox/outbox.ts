import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { inngestConfigured } from "@/lib/env";
import { log } from "@/lib/log";
import { processState } from "@/lib/singleton";

// Checkout events, sent the safe way round: the state change commits first, then an
// EventOutbox row records the event, then it is sent and the row marked sent. A crash
// between any two of those leaves an unsent row that the reconciler re-sends, so an event is
// never lost — only, at worst, sent twice, which every consumer tolerates (each step is safe
// to run twice, and Inngest drops a second event with the same id).
//
// Where events go depends on the mode. With Inngest configured, inngest/client.ts registers
// a sender (lib/ never imports inngest). Without it, the in-process handlers below run the
// same lib/ functions the Inngest functions would.

export const EVENTS = {
  created: "satchel/checkout.created",
  activity: "satchel/checkout.activity",
  paid: "satchel/checkout.paid",
  credited: "satchel/checkout.credited",
  failed: "satchel/checkout.failed",
  expired: "satchel/checkout.expired",
  /** The checkout was flagged for a person (data: the checkout; the reason is on the row). */
  needsAttention: "satchel/checkout.needs_attention",
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export interface EventData {
  checkoutId: string;
  /** What caused it: "buyer", "electrum", "chain", "reconciler"… */
  source?: string;
}

export interface OutgoingEvent {
  /** The outbox row id: stable across re-sends, so the receiver can drop duplicates. */
  id: string;
  name: EventName;
  data: EventData;
}

export type EventSender = (events: OutgoingEvent[]) => Promise<void>;
/** Sees every event before it is sent (the host integration records its events here); a failure keeps the event unsent. */
export type EventTap = (event: OutgoingEvent) => Promise<void>;
type LocalHandler = (data: EventData) => Promise<unknown>;

// Kept in process state (lib/singleton.ts): Next.js may load this module more than once.
const g = processState<{ __satchelEventSender?: EventSender | null; __satchelLocalHandlers?: Map<string, LocalHandler>; __satchelEventTap?: EventTap | null }>(
  "outbox/outbox",
);

/** Registers the tap every event passes through before it is sent (idempotent per event id). */
export function setEventTap(tap: EventTap | null): void {
  g.__satchelEventTap = tap;
}

/** Inngest mode: where events go (inngest/client.ts registers inngest.send). */
export function setEventSender(sender: EventSender | null): void {
  g.__satchelEventSender = sender;
}

/** In-process mode: what an event does (lib/lifecycle/local.ts registers these). */
export function setLocalHandler(name: EventName, handler: LocalHandler): void {
  g.__satchelLocalHandlers ??= new Map();
  g.__satchelLocalHandlers.set(name, handler);
}

/** Records the event (after the state it announces has committed), then sends it. Never throws for a failed send. */
export async function emitEvent(name: EventName, data: EventData): Promise<{ id: string; sent: boolean }> {
  const row = await db.eventOutbox.create({ data: { name, data: data as unknown as Prisma.InputJsonValue }, select: { id: true } });
  const sent = await deliver({ id: row.id, name, data });
  return { id: row.id, sent };
}

/** Sends one recorded event and marks it sent; on failure keeps it unsent with the error. */
export async function deliver(event: OutgoingEvent): Promise<boolean> {
  try {
    await g.__satchelEventTap?.(event);
    const sender = g.__satchelEventSender;
    if (sender) await sender([event]);
    else if (inngestConfigured()) throw new Error("Inngest is configured but no event sender is registered in this process");
    else {
      const handler = g.__satchelLocalHandlers?.get(event.name);
      if (handler) await handler(event.data);
    }
    await db.eventOutbox.updateMany({ where: { id: event.id, sentAt: null }, data: { sentAt: new Date(), attempts: { increment: 1 }, lastError: null } });
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.warn({ event: event.name, checkoutId: event.data.checkoutId, err: message }, "event not sent; the reconciler will retry");
    await db.eventOutbox.update({ where: { id: event.id }, data: { attempts: { increment: 1 }, lastError: message.slice(0, 1000) } }).catch(() => {});
    return false;
  }
}

/** Re-sends events left unsent for at least `olderThanMs` (a crash or an unreachable Inngest). */
export async function resendUnsent(opts: { now?: Date; olderThanMs?: number; limit?: number } = {}): Promise<{ resent: number; failed: number }> {
  const now = opts.now ?? new Date();
  const rows = await db.eventOutbox.findMany({
    where: { sentAt: null, createdAt: { lt: new Date(now.getTime() - (opts.olderThanMs ?? 30_000)) } },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 500,
    select: { id: true, name: true, data: true },
  });
  let resent = 0;
  let failed = 0;
  for (const r of rows) {
    if (await deliver({ id: r.id, name: r.name as EventName, data: r.data as unknown as EventData })) resent++;
    else failed++;
  }
  return { resent, failed };
}
