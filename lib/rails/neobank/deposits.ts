import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { minorDigits } from "@/lib/format";
import { creditInTx } from "@/lib/ledger/ledger";
import { log } from "@/lib/log";
import { neobankSettings } from "./config";

// Unmatched NEO Bank deposits: a payment the gateway's own status query confirmed for a CPRN,
// that no checkout here started (the Bill Bitts integration let money arrive on a buyer's
// CPRN without a checkout and added it to a `neo_balance`; a tx id Satchel did not create).
// Never dropped: one NeobankDeposit row per gateway tx id (a redelivered report finds it and
// records nothing more), open on the admin worklist until an admin credits it — or it is
// credited at once at NEOBANK_CREDITS_PER_UNIT when NEOBANK_AUTO_CREDIT_DEPOSITS is on — or
// marks it refunded outside Satchel. Crediting is compare-and-set on the row (open → credited)
// with the ledger entry keyed by the deposit, so it happens exactly once.

export type DepositState = "open" | "credited" | "refunded";

export interface DepositInput {
  txId: string;
  cprn: string;
  amountMinor: bigint;
  currency: string;
  gatewayStatus: string;
  note?: string;
}

export interface RecordedDeposit {
  id: string;
  /** False when this tx id was recorded before (a redelivery): nothing changed. */
  created: boolean;
  userId: string | null;
  state: DepositState;
  credits: number | null;
}

/** Credits for a deposit at a rate of credits per whole currency unit (rounded down); 0 when less than one credit. */
export function depositCredits(amountMinor: bigint, currency: string, perUnit: number): number {
  const n = (amountMinor * BigInt(perUnit)) / 10n ** BigInt(minorDigits(currency));
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(n);
}

/** Records a confirmed deposit once per tx id, and credits it at once when the settings say so. */
export async function recordDeposit(input: DepositInput): Promise<RecordedDeposit> {
  const profile = await db.neobankProfile.findUnique({ where: { cprn: input.cprn }, select: { userId: true } });
  const userId = profile?.userId ?? null;
  let row: { id: string; userId: string | null; state: string; credits: number | null };
  let created = true;
  try {
    row = await db.neobankDeposit.create({
      data: {
        gatewayTxId: input.txId,
        cprn: input.cprn,
        userId,
        amountMinor: input.amountMinor,
        currency: input.currency,
        gatewayStatus: input.gatewayStatus,
        note: input.note ?? null,
      },
      select: { id: true, userId: true, state: true, credits: true },
    });
    log.warn(
      { depositId: row.id, txId: input.txId, cprn: input.cprn, userId, amountMinor: input.amountMinor.toString(), currency: input.currency },
      "NEO Bank: a confirmed deposit without a checkout; recorded for an admin",
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    created = false;
    row = await db.neobankDeposit.findUniqueOrThrow({ where: { gatewayTxId: input.txId }, select: { id: true, userId: true, state: true, credits: true } });
  }
  const s = neobankSettings();
  if (row.state === "open" && row.userId && s.autoCreditDeposits && s.creditsPerUnit) {
    const credits = depositCredits(input.amountMinor, input.currency, s.creditsPerUnit);
    if (credits > 0) {
      try {
        const r = await db.$transaction((tx) =>
          creditDepositInTx(tx, row.id, credits, null, `credited automatically at ${s.creditsPerUnit} credits per ${input.currency}`),
        );
        if (r.applied) return { id: row.id, created, userId: row.userId, state: "credited", credits };
      } catch (err) {
        // A second report of the same deposit credited it at the same moment: the ledger key made it one.
        if (!isUniqueViolation(err)) throw err;
      }
      const now = await db.neobankDeposit.findUniqueOrThrow({ where: { id: row.id }, select: { state: true, credits: true } });
      return { id: row.id, created, userId: row.userId, state: now.state as DepositState, credits: now.credits };
    }
  }
  return { id: row.id, created, userId: row.userId, state: row.state as DepositState, credits: row.credits };
}

/**
 * Credits an open deposit to its buyer inside the caller's transaction: open → credited
 * (compare-and-set) and one ledger entry keyed by the deposit. A deposit credited or refunded
 * before is left alone (applied: false).
 */
export async function creditDepositInTx(
  tx: Prisma.TransactionClient,
  depositId: string,
  credits: number,
  actorId: string | null,
  note?: string,
): Promise<{ applied: boolean; balanceAfter?: number; userId?: string; entryId?: string }> {
  const d = await tx.neobankDeposit.findUnique({ where: { id: depositId }, select: { userId: true, state: true, gatewayTxId: true, cprn: true } });
  if (!d) throw new AppError("not_found", "No such NEO Bank deposit.");
  if (d.state !== "open") return { applied: false };
  if (!d.userId)
    throw new AppError("conflict", `No buyer here has CPRN ${d.cprn}, so there is no balance to credit; mark it refunded once NEO Bank returned the money.`);
  const entry = await creditInTx(tx, {
    userId: d.userId,
    amount: credits,
    idempotencyKey: `neobank-deposit:${depositId}:credit`,
    reason: "NEO Bank deposit",
    reference: d.gatewayTxId,
  });
  const moved = await tx.neobankDeposit.updateMany({
    where: { id: depositId, state: "open" },
    data: { state: "credited", credits, ledgerEntryId: entry.entryId, resolvedById: actorId, resolvedAt: new Date(), ...(note ? { note } : {}) },
  });
  if (moved.count !== 1) throw new AppError("conflict", "This deposit was resolved meanwhile; nothing was changed.");
  log.info({ depositId, userId: d.userId, credits, txId: d.gatewayTxId, entryId: entry.entryId }, "NEO Bank: deposit credited");
  return { applied: true, balanceAfter: entry.balanceAfter, userId: d.userId, entryId: entry.entryId };
}

/** Marks an open deposit as refunded outside Satchel (compare-and-set; moves no credits). */
export async function refundDepositInTx(tx: Prisma.TransactionClient, depositId: string, actorId: string, note: string): Promise<{ applied: boolean }> {
  const exists = await tx.neobankDeposit.findUnique({ where: { id: depositId }, select: { state: true } });
  if (!exists) throw new AppError("not_found", "No such NEO Bank deposit.");
  const moved = await tx.neobankDeposit.updateMany({
    where: { id: depositId, state: "open" },
    data: { state: "refunded", resolvedById: actorId, resolvedAt: new Date(), note: note || null },
  });
  return { applied: moved.count === 1 };
}
