import "server-only";
import { type ActionContext, type ActionOutcome, audited } from "@/lib/admin/actions";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { logMoneyEvent } from "@/lib/money-log";
import { createRefundInTx, recordPayoutTxidInTx, sendClaimEmail, toRailUnits } from "@/lib/refunds/refunds";

// The admin's refund-of-money actions (/admin/payments/[id] → "Refund money"): each one is
// the refund's own compare-and-set plus its AuditLog row in one transaction (audited()), so a
// double submit is one refund and the audit log never names a refund that rolled back.

/** Parses the admin's amount: a whole number of the unit chosen. */
export function parseAmount(raw: string): bigint {
  const text = raw.trim().replaceAll(",", "").replaceAll("_", "");
  if (!/^[0-9]{1,18}$/.test(text))
    throw new AppError("validation_failed", "Enter the amount as a whole number (sats, or the currency's smallest unit).", { amount: ["invalid"] });
  return BigInt(text);
}

export async function refundMoney(
  ctx: ActionContext,
  checkoutId: string,
  input: { amount: string; unit?: "rail" | "price"; externalRef?: string },
): Promise<ActionOutcome> {
  const typed = parseAmount(input.amount);
  let token: string | null = null;
  let refundId = "";
  const out = await audited(ctx, async (tx) => {
    const c = await tx.checkout.findUnique({ where: { id: checkoutId }, select: { expectedAmount: true, priceMinor: true, currency: true, rail: true } });
    if (!c) throw new AppError("not_found", "No such checkout.");
    const amount = toRailUnits(c, typed, input.unit === "price" && c.rail === "btc" ? "price" : "rail");
    const r = await createRefundInTx(tx, checkoutId, {
      amount,
      reason: ctx.reason,
      externalRef: input.externalRef,
      actorId: ctx.actorId,
      auditId: ctx.requestId,
    });
    token = r.claimToken;
    refundId = r.refundId;
    return {
      applied: true,
      message:
        r.method === "external"
          ? `Refund of ${r.amount} ${r.unit} recorded (made outside Satchel).`
          : `Refund of ${r.amount} sats created; the buyer was emailed a link to claim it${r.method === "bitcoin_hot" ? " (the hot wallet pays it)" : " (you pay it from your wallet once they enter an address)"}.`,
      action: "checkout.refund_money",
      targetType: "checkout",
      targetId: checkoutId,
      data: {
        refundId: r.refundId,
        amount: r.amount.toString(),
        unit: r.unit,
        method: r.method,
        status: r.status,
        ...(input.unit === "price" ? { typed: typed.toString(), typedUnit: c.currency } : {}),
        ...(input.externalRef ? { externalRef: input.externalRef.trim() } : {}),
      },
    };
  });
  if (out.applied) {
    await logMoneyEvent("money_refunded", checkoutId, { source: "admin", auditId: ctx.requestId, refundId });
    if (token) {
      const t: string = token;
      // The email is an outbox row first (its own dedup key); a failure here leaves the row to resend.
      await sendClaimEmail(refundId, t).catch((err) => log.warn({ err, refundId }, "refund claim email failed"));
    }
  }
  return out;
}

export async function recordRefundPayout(ctx: ActionContext, refundId: string, txid: string): Promise<ActionOutcome> {
  const checkoutId = (await db.refund.findUnique({ where: { id: refundId }, select: { checkoutId: true } }))?.checkoutId;
  if (!checkoutId) throw new AppError("not_found", "No such refund.");
  return audited(ctx, async (tx) => {
    const r = await recordPayoutTxidInTx(tx, refundId, txid);
    return {
      applied: true,
      message: `Recorded: ${r.payoutSats} sats paid to ${r.address} in ${txid.trim().toLowerCase()}. It shows as confirmed once the chain confirms it.`,
      action: "checkout.refund_record_txid",
      targetType: "checkout",
      targetId: checkoutId,
      data: { refundId, txid: txid.trim().toLowerCase() },
    };
  });
}
