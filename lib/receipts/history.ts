import "server-only";
import { db } from "@/lib/db/client";
import { refundKey } from "./receipt";

/** A buyer's own checkouts, newest first (the /account payment history), with any refund. */
export async function paymentHistory(userId: string, take = 50) {
  const rows = await db.checkout.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      createdAt: true,
      rail: true,
      status: true,
      exception: true,
      packageName: true,
      credits: true,
      priceMinor: true,
      currency: true,
      expectedAmount: true,
      receivedAmount: true,
      amountUnit: true,
    },
  });
  const refunds = await db.ledgerEntry.findMany({
    where: { userId, idempotencyKey: { in: rows.map((r) => refundKey(r.id)) } },
    select: { idempotencyKey: true, amount: true },
  });
  const refunded = new Map(refunds.map((e) => [e.idempotencyKey, -e.amount]));
  return rows.map(({ expectedAmount, receivedAmount, ...r }) => ({
    ...r,
    // What arrived beyond the price (an overpayment's excess, in rail units), "0" if nothing.
    extra: (receivedAmount > expectedAmount ? receivedAmount - expectedAmount : 0n).toString(),
    refunded: refunded.get(refundKey(r.id)) ?? 0,
  }));
}
