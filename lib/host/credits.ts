import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { QUEUED_TX } from "@/lib/db/retry";
import { AppError } from "@/lib/errors";
import { creditInTx, debitInTx, type Movement } from "@/lib/ledger/ledger";
import { type CustomerRow, requireCustomer } from "./customers";
import { type HostEventType, recordHostEventInTx } from "./events";
import { type Page, pageWhere } from "./pagination";

// A host spends and grants its customers' credits. Each movement is one ledger entry whose
// idempotency key derives from the request's Idempotency-Key, and its event is written in
// the same transaction: the debit, the balance and `credits.debited` commit together or not
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
  const customer = await requireCustomer(input.externalId);
  const m: Movement = {
    userId: customer.userId,
    amount: input.amount,
    idempotencyKey: `api:${kind}:${input.key}`,
    reason: kind === "debit" ? "api_debit" : "api_grant",
    description: input.description ?? null,
    metadata: input.metadata ?? null,
  };
  const type: HostEventType = kind === "debit" ? "credits.debited" : "credits.granted";
  for (let attempt = 1; ; attempt++) {
    const existing = await findEntry(m.idempotencyKey);
    if (existing) return same(existing, customer, m, kind);
    try {
      return await db.$transaction(async (tx) => {
        const r = kind === "debit" ? await debitInTx(tx, m) : await creditInTx(tx, m);
        const entry = await tx.ledgerEntry.findUniqueOrThrow({ where: { id: r.entryId }, select: entrySelect });
        const view = entryView(entry, customer.externalId);
        await recordHostEventInTx(tx, { type, sourceKey: `ledger:${m.idempotencyKey}`, customerId: customer.externalId, data: view });
        return view;
      }, QUEUED_TX);
    } catch (err) {
      if (isUniqueViolation(err) && attempt < 3) continue; // a twin committed first: return its entry
      if (err instanceof AppError && err.code === "insufficient_credits") {
        const balance = (await db.user.findUnique({ where: { id: customer.userId }, select: { balance: true } }))?.balance ?? 0;
        throw new AppError("insufficient_credits", `The balance is ${balance} credits, less than ${input.amount}.`, { param: "amount", balance });
      }
      throw err;
    }
  }
}

function findEntry(idempotencyKey: string) {
  return db.ledgerEntry.findUnique({ where: { idempotencyKey }, select: { ...entrySelect, userId: true } });
}

function same(e: EntryRow & { userId: string }, customer: CustomerRow, m: Movement, kind: "debit" | "grant"): EntryView {
  const delta = kind === "debit" ? -m.amount : m.amount;
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
