import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { neobankSettings } from "@/lib/rails/neobank/config";
import { creditDepositInTx, depositCredits, refundDepositInTx } from "@/lib/rails/neobank/deposits";
import { type ActionContext, type ActionOutcome, audited } from "./actions";

// The admin side of unmatched NEO Bank deposits (lib/rails/neobank/deposits.ts): the open ones
// on the overview's worklist, crediting one to its buyer (at NEOBANK_CREDITS_PER_UNIT unless the
// admin names the credits) and marking one refunded outside Satchel. Audited like every admin
// action; the deposit row's compare-and-set and the ledger key make each happen once.

export interface DepositRow {
  id: string;
  gatewayTxId: string;
  cprn: string;
  userId: string | null;
  email: string | null;
  amountMinor: bigint;
  currency: string;
  gatewayStatus: string;
  /** Credits at NEOBANK_CREDITS_PER_UNIT; null when no rate is configured. */
  suggestedCredits: number | null;
  note: string | null;
  createdAt: Date;
}

export async function openDeposits(limit = 20): Promise<DepositRow[]> {
  const rate = neobankSettings().creditsPerUnit;
  const rows = await db.neobankDeposit.findMany({
    where: { state: "open" },
    orderBy: { createdAt: "asc" },
    take: limit,
    include: { user: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    gatewayTxId: r.gatewayTxId,
    cprn: r.cprn,
    userId: r.userId,
    email: r.user?.email ?? null,
    amountMinor: r.amountMinor,
    currency: r.currency,
    gatewayStatus: r.gatewayStatus,
    suggestedCredits: rate ? depositCredits(r.amountMinor, r.currency, rate) : null,
    note: r.note,
    createdAt: r.createdAt,
  }));
}

/** Credits an open deposit to its buyer: `credits` as given, or at NEOBANK_CREDITS_PER_UNIT. */
export async function creditDeposit(ctx: ActionContext, depositId: string, credits?: number): Promise<ActionOutcome> {
  const rate = neobankSettings().creditsPerUnit;
  return audited(ctx, async (tx) => {
    const d = await tx.neobankDeposit.findUnique({ where: { id: depositId }, select: { amountMinor: true, currency: true, state: true, userId: true } });
    if (!d) throw new AppError("not_found", "No such NEO Bank deposit.");
    if (d.state !== "open") return { applied: false, message: `This deposit was already ${d.state}.` };
    const amount = credits ?? (rate ? depositCredits(d.amountMinor, d.currency, rate) : 0);
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > 10_000_000)
      throw new AppError(
        "validation_failed",
        rate || credits !== undefined
          ? "Enter a whole number of credits between 1 and 10,000,000."
          : "Enter the credits to add (NEOBANK_CREDITS_PER_UNIT is not set).",
      );
    const r = await creditDepositInTx(tx, depositId, amount, ctx.actorId);
    if (!r.applied) return { applied: false, message: "This deposit was resolved meanwhile; nothing was changed." };
    return {
      applied: true,
      message: `Credited ${amount} credits; the balance is now ${r.balanceAfter}.`,
      action: "neobank_deposit.credit",
      targetType: "neobank_deposit",
      targetId: depositId,
      data: { credits: amount, userId: r.userId ?? null, entryId: r.entryId ?? null },
    };
  });
}

/** Marks an open deposit as refunded outside Satchel (NEO Bank returned the money); moves no credits. */
export async function refundDeposit(ctx: ActionContext, depositId: string): Promise<ActionOutcome> {
  return audited(ctx, async (tx) => {
    const r = await refundDepositInTx(tx, depositId, ctx.actorId, ctx.reason);
    if (!r.applied) return { applied: false, message: "This deposit is no longer open; nothing was changed." };
    return {
      applied: true,
      message: "Marked as refunded outside Satchel.",
      action: "neobank_deposit.refund",
      targetType: "neobank_deposit",
      targetId: depositId,
    };
  });
}
