import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { QUEUED_TX } from "@/lib/db/retry";
import { AppError } from "@/lib/errors";

// The credits ledger: every movement is one entry with a unique idempotency key, and the
// user's cached balance changes in the same transaction. Applying the same key twice (a
// retried step, a duplicate webhook, two sweeps racing) yields the first entry, unchanged.
// Σ entries = balance holds because both change together or not at all, and the database
// refuses a negative balance (CHECK constraint) as a last line of defence.

export interface Movement {
  userId: string;
  /** Whole credits, > 0. */
  amount: number;
  /** Unique per movement, e.g. `checkout:<id>:credit`. */
  idempotencyKey: string;
  /** Why, in a few words an admin can read: "purchase", "refund", "adjustment". */
  reason: string;
  /** What it refers to: a checkout id, an audit entry. */
  reference?: string;
  /** The host's words for it (API debits). */
  description?: string | null;
  /** The host's string pairs (API debits and grants). */
  metadata?: Record<string, string> | null;
}

export interface LedgerResult {
  entryId: string;
  balanceAfter: number;
  /** False when the key had been applied before and nothing changed now. */
  applied: boolean;
}

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new AppError("validation_failed", "Amount must be a positive whole number of credits.");
}

export function credit(m: Movement): Promise<LedgerResult> {
  checkAmount(m.amount);
  return apply(m, m.amount);
}

export function debit(m: Movement): Promise<LedgerResult> {
  checkAmount(m.amount);
  return apply(m, -m.amount);
}

async function apply(m: Movement, delta: number): Promise<LedgerResult> {
  const existing = await findEntry(m.idempotencyKey);
  if (existing) return sameMovement(existing, m, delta);
  try {
    return await db.$transaction((tx) => applyInTx(tx, m, delta), QUEUED_TX);
  } catch (err) {
    if (isUniqueViolation(err)) {
      const twin = await findEntry(m.idempotencyKey);
      if (twin) return sameMovement(twin, m, delta);
    }
    throw err;
  }
}

type Tx = Prisma.TransactionClient;

/**
 * Applies a movement inside the caller's transaction, so it commits or rolls back with
 * the caller's own writes (a checkout's paid → credited, say). If a twin with the same key
 * commits first, the insert fails with a unique violation and the caller's transaction
 * must roll back: callers catch isUniqueViolation and re-read.
 */
export async function creditInTx(tx: Tx, m: Movement): Promise<LedgerResult> {
  checkAmount(m.amount);
  return applyInTx(tx, m, m.amount);
}

export async function debitInTx(tx: Tx, m: Movement): Promise<LedgerResult> {
  checkAmount(m.amount);
  return applyInTx(tx, m, -m.amount);
}

async function applyInTx(tx: Tx, m: Movement, delta: number): Promise<LedgerResult> {
  // The conditional update takes the user's row lock, so concurrent movements on one user
  // serialise here; a debit that would overdraw matches no row.
  const rows = await tx.$queryRaw<{ balance: number }[]>`
    UPDATE "User" SET "balance" = "balance" + ${delta}, "updatedAt" = now()
    WHERE "id" = ${m.userId} AND "balance" + ${delta} >= 0
    RETURNING "balance"`;
  const row = rows[0];
  if (!row) {
    const user = await tx.user.findUnique({ where: { id: m.userId }, select: { balance: true } });
    if (!user) throw new AppError("not_found", "No such user.");
    throw new AppError("insufficient_credits", `Balance ${user.balance} is less than ${-delta} credits.`);
  }
  // A concurrent twin with the same key makes this insert wait, then fail with a unique
  // violation once the twin commits; the whole transaction (balance included) rolls back.
  const entry = await tx.ledgerEntry.create({
    data: {
      userId: m.userId,
      amount: delta,
      balanceAfter: row.balance,
      reason: m.reason,
      reference: m.reference ?? null,
      description: m.description ?? null,
      metadata: m.metadata ?? undefined,
      idempotencyKey: m.idempotencyKey,
    },
    select: { id: true },
  });
  return { entryId: entry.id, balanceAfter: row.balance, applied: true };
}

function findEntry(idempotencyKey: string) {
  return db.ledgerEntry.findUnique({
    where: { idempotencyKey },
    select: { id: true, userId: true, amount: true, balanceAfter: true },
  });
}

function sameMovement(entry: { id: string; userId: string; amount: number; balanceAfter: number }, m: Movement, delta: number): LedgerResult {
  // Reusing a key for a different movement is a programming error worth surfacing.
  if (entry.userId !== m.userId || entry.amount !== delta)
    throw new AppError("conflict", `Idempotency key ${m.idempotencyKey} was already used for a different movement.`);
  return { entryId: entry.id, balanceAfter: entry.balanceAfter, applied: false };
}

export interface LedgerPage {
  entries: { id: string; amount: number; balanceAfter: number; reason: string; reference: string | null; createdAt: Date }[];
  balance: number;
}

/** A user's balance and most recent entries, newest first. */
export async function ledgerFor(userId: string, take = 50): Promise<LedgerPage> {
  const [user, entries] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { balance: true } }),
    db.ledgerEntry.findMany({
      where: { userId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take,
      select: { id: true, amount: true, balanceAfter: true, reason: true, reference: true, createdAt: true },
    }),
  ]);
  if (!user) throw new AppError("not_found", "No such user.");
  return { balance: user.balance, entries };
}
