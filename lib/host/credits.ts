import "server-only";
import { randomBytes } from "node:crypto";
import { db, Prisma, sql } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { type CustomerRow, requireCustomer } from "./customers";
import { type HostEventType, newEventId, recordHostEventInTx } from "./events";
import { type Page, pageWhere } from "./pagination";
import { listensTo } from "./webhooks";

// A host spends and grants its customers' credits. Each movement is one ledger entry whose
// idempotency key derives from the request's Idempotency-Key, and its event is written in
// the same statement (one round trip, see applyWithEvent): the debit, the balance and `credits.debited` commit together or not
// at all, exactly once however often the request is retried. The ledger's conditional update
// refuses an overdraft, so concurrent debits can never take a balance below zero.

const entrySelect = { id: true, amount: true, balanceAfter: true, reason: true, reference: true, description: true, metadata: true, createdAt: true } as const;
type EntryRow = Prisma.LedgerEntryGetPayload<{ select: typeof entrySelect }>;

export function entryView(e: EntryRow, externalId: string) {
  const type = e.reason === "api_debit" ? "debit" : e.reason === "api_grant" ? "grant" : e.reason;
  return {
    id: e.id,
    object: "ledger_entry" as const,
    customer: externalId,
    type,
    amount: e.amount,
    balance_after: e.balanceAfter,
    description: e.description,
    metadata: (e.metadata as Record<string, string> | null) ?? {},
    reference: e.reference,
    created_at: e.createdAt.toISOString(),
  };
}
export type EntryView = ReturnType<typeof entryView>;

export interface SpendInput {
  externalId: string;
  amount: number;
  /** The request's Idempotency-Key: the movement's identity. */
  key: string;
  description?: string | null;
  metadata?: Record<string, string>;
}

export function debitCustomer(input: SpendInput): Promise<EntryView> {
  return move(input, "debit");
}

export function grantCustomer(input: SpendInput & { reason: string }): Promise<EntryView> {
  return move({ ...input, description: input.reason }, "grant");
}

async function move(input: SpendInput, kind: "debit" | "grant"): Promise<EntryView> {
  const m = {
    amount: input.amount,
    idempotencyKey: `api:${kind}:${input.key}`,
    reason: kind === "debit" ? "api_debit" : "api_grant",
    description: input.description ?? null,
    metadata: input.metadata ?? null,
  };
  if (!Number.isSafeInteger(m.amount) || m.amount <= 0) throw new AppError("validation_failed", "Amount must be a positive whole number of credits.");
  const delta = kind === "debit" ? -m.amount : m.amount;
  const type: HostEventType = kind === "debit" ? "credits.debited" : "credits.granted";
  for (let attempt = 1; ; attempt++) {
    const entry: EntryRow = {
      id: newEntryId(),
      amount: delta,
      balanceAfter: 0, // set by the statement below
      reason: m.reason,
      reference: null,
      description: m.description,
      metadata: m.metadata,
      createdAt: new Date(),
    };
    try {
      const balance = await applyWithEvent(input.externalId, m, delta, entry, type);
      if (balance !== null) return entryView({ ...entry, balanceAfter: balance }, input.externalId);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A twin with the same key committed first: its entry is the answer (below).
    }
    // Nothing was applied: no such customer, the key was used before, or the balance is short.
    const customer = await requireCustomer(input.externalId);
    const existing = await findEntry(m.idempotencyKey);
    if (existing) return same(existing, customer, delta);
    if (attempt >= 3) throw new AppError("conflict", "This movement could not be applied; retry it.");
    if (kind === "grant") continue;
    const balance = (await db.user.findUnique({ where: { id: customer.userId }, select: { balance: true } }))?.balance ?? 0;
    if (balance + delta >= 0) continue; // the balance rose in between: try again
    throw new AppError("insufficient_credits", `The balance is ${balance} credits, less than ${input.amount}.`, { param: "amount", balance });
  }
}

const newEntryId = () => `c${Date.now().toString(36)}${randomBytes(9).toString("hex")}`;

/**
 * The whole movement as ONE statement (so one round trip, and the customer's row lock is
 * held only while it runs): the conditional balance update (no row when it would overdraw,
 * so the balance never goes below zero), the ledger entry with the same idempotency key
 * rules as lib/ledger (a twin makes the insert fail with a unique violation and the whole
 * statement rolls back), the host event and its webhook deliveries (the same rows
 * recordHostEventInTx and fanOutInTx write, to the endpoints `listensTo` names). Returns the balance after, or null when
 * nothing was applied (unknown customer or short balance).
 */
async function applyWithEvent(
  externalId: string,
  m: { idempotencyKey: string; reason: string; description: string | null; metadata: Record<string, string> | null },
  delta: number,
  entry: EntryRow,
  type: HostEventType,
): Promise<number | null> {
  const data = JSON.stringify(entryView(entry, externalId));
  const metadata = m.metadata ? JSON.stringify(m.metadata) : null;
  const rows = await sql<{ balance: number }>(Prisma.sql`
    WITH u AS (
      UPDATE "User" SET "balance" = "balance" + ${delta}::int, "updatedAt" = now()
      WHERE "id" = (SELECT "userId" FROM "Customer" WHERE "externalId" = ${externalId}) AND "balance" + ${delta}::int >= 0
      RETURNING "id", "balance"
    ), e AS (
      INSERT INTO "LedgerEntry" ("id", "userId", "amount", "balanceAfter", "reason", "reference", "description", "metadata", "idempotencyKey", "createdAt")
      SELECT ${entry.id}, u."id", ${delta}::int, u."balance", ${m.reason}, NULL, ${m.description}::text, ${metadata}::jsonb, ${m.idempotencyKey},
             ${entry.createdAt.toISOString()}::timestamp(3)
      FROM u RETURNING "balanceAfter"
    ), ev AS (
      INSERT INTO "HostEvent" ("id", "type", "sourceKey", "customerId", "data")
      SELECT ${newEventId()}, ${type}, ${`ledger:${m.idempotencyKey}`}, ${externalId}, jsonb_set(${data}::jsonb, '{balance_after}', to_jsonb(e."balanceAfter"))
      FROM e RETURNING "id"
    ), d AS (
      INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "nextAttemptAt")
      SELECT gen_random_uuid()::text, w."id", ev."id", CURRENT_TIMESTAMP
      FROM ev, "WebhookEndpoint" w
      WHERE ${listensTo(type)}
      ON CONFLICT ("endpointId", "eventId") DO NOTHING
    )
    SELECT "balanceAfter" AS "balance" FROM e`);
  const row = rows[0];
  return row ? Number(row.balance) : null;
}

function findEntry(idempotencyKey: string) {
  return db.ledgerEntry.findUnique({ where: { idempotencyKey }, select: { ...entrySelect, userId: true } });
}

function same(e: EntryRow & { userId: string }, customer: CustomerRow, delta: number): EntryView {
  if (e.userId !== customer.userId || e.amount !== delta) throw new AppError("conflict", "This idempotency key was used for a different movement.");
  return entryView(e, customer.externalId);
}

/** A customer's ledger, newest first. */
export async function customerLedger(externalId: string, opts: { limit: number; startingAfter?: string }): Promise<Page<EntryView>> {
  const customer = await requireCustomer(externalId);
  const cursor = opts.startingAfter
    ? await db.ledgerEntry.findFirst({ where: { id: opts.startingAfter, userId: customer.userId }, select: { id: true, createdAt: true } })
    : null;
  const rows = await db.ledgerEntry.findMany({
    where: { AND: [{ userId: customer.userId }, pageWhere(cursor, opts.startingAfter)] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    select: entrySelect,
  });
  return { data: rows.slice(0, opts.limit).map((e) => entryView(e, externalId)), hasMore: rows.length > opts.limit };
}

/**
 * An admin's refund or balance adjustment of a host's customer, announced in the movement's
 * own transaction (nothing for buyers without a host). Keyed by the movement, like debits.
 */
export async function recordAdminMovementInTx(
  tx: Prisma.TransactionClient,
  m: { type: "credits.refunded" | "credits.adjusted"; userId: string; entryId: string; idempotencyKey: string; extra?: Record<string, unknown> },
): Promise<string | null> {
  const customer = await tx.customer.findUnique({ where: { userId: m.userId }, select: { externalId: true } });
  if (!customer) return null;
  const entry = await tx.ledgerEntry.findUniqueOrThrow({ where: { id: m.entryId }, select: entrySelect });
  const data = { ...entryView(entry, customer.externalId), ...(m.extra ?? {}) };
  return recordHostEventInTx(tx, { type: m.type, sourceKey: `ledger:${m.idempotencyKey}`, customerId: customer.externalId, data });
}
