import "server-only";
import { randomBytes } from "node:crypto";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { HostEventType } from "./event-types";
import { type Page, pageWhere } from "./pagination";
import { fanOutInTx } from "./webhooks";

// Events a host can read (GET /api/v1/events) and receives as webhooks. Each is written
// once: sourceKey names what it announces (a ledger movement's idempotency key, an outbox
// row), so recording it again — a retried step, a re-sent outbox row — finds the first.

export { HOST_EVENT_TYPES, type HostEventType } from "./event-types";

type Tx = Prisma.TransactionClient;

export interface HostEventInput {
  type: HostEventType;
  sourceKey: string;
  customerId?: string | null;
  data: Record<string, unknown>;
}

export const newEventId = () => `evt_${randomBytes(12).toString("hex")}`;

/** Records the event in the caller's transaction (it commits with what it announces). */
export async function recordHostEventInTx(tx: Tx, e: HostEventInput): Promise<string> {
  const row = await tx.hostEvent.create({
    data: { id: newEventId(), type: e.type, sourceKey: e.sourceKey, customerId: e.customerId ?? null, data: e.data as Prisma.InputJsonValue },
    select: { id: true },
  });
  await fanOutInTx(tx, row.id, e.type);
  return row.id;
}

/** Records the event unless its source was recorded before; returns its id either way. */
export async function recordHostEvent(e: HostEventInput): Promise<{ id: string; created: boolean }> {
  const existing = await db.hostEvent.findUnique({ where: { sourceKey: e.sourceKey }, select: { id: true } });
  if (existing) return { id: existing.id, created: false };
  try {
    return { id: await db.$transaction((tx) => recordHostEventInTx(tx, e)), created: true };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const twin = await db.hostEvent.findUnique({ where: { sourceKey: e.sourceKey }, select: { id: true } });
    if (!twin) throw err;
    return { id: twin.id, created: false };
  }
}

export interface EventView {
  id: string;
  object: "event";
  type: string;
  created_at: string;
  data: { object: unknown };
}

export function eventView(e: { id: string; type: string; data: unknown; createdAt: Date }): EventView {
  return { id: e.id, object: "event", type: e.type, created_at: e.createdAt.toISOString(), data: { object: e.data } };
}

/** Every event, newest first, optionally of some types or for one customer. */
export async function listHostEvents(opts: { limit: number; startingAfter?: string; types?: string[]; customer?: string }): Promise<Page<EventView>> {
  const where: Prisma.HostEventWhereInput = {
    ...(opts.types?.length ? { type: { in: opts.types } } : {}),
    ...(opts.customer ? { customerId: opts.customer } : {}),
  };
  const cursor = opts.startingAfter ? await db.hostEvent.findUnique({ where: { id: opts.startingAfter }, select: { id: true, createdAt: true } }) : null;
  const rows = await db.hostEvent.findMany({
    where: { AND: [where, pageWhere(cursor, opts.startingAfter)] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    select: { id: true, type: true, data: true, createdAt: true },
  });
  return { data: rows.slice(0, opts.limit).map(eventView), hasMore: rows.length > opts.limit };
}
