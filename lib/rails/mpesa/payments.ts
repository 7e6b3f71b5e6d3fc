import "server-only";
import { markProviderFailed, markProviderPaid } from "@/lib/checkouts/provider";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { EventCause } from "@/lib/db/generated/enums";
import type { MpesaOutcome } from "./callback";
import { maskPhone } from "./phone";

// Applying what M-Pesa said about a prompt — from the callback or an STK query — to the
// payment row and, through lib/checkouts/provider.ts, to the checkout. Safe to run twice with
// the same facts: the receipt is written once (unique across all payments), and the status
// changes are compare-and-set.

export interface ApplyInput {
  checkoutId: string;
  resultCode: number;
  resultDesc: string;
  outcome: MpesaOutcome;
  cause: EventCause;
  /** "callback" or "STK query", for the timeline. */
  via: string;
  now?: Date;
}

export type ApplyResult = { changed: boolean; status: string; exception: string | null; note?: string };

export async function applyMpesaResult(input: ApplyInput): Promise<ApplyResult> {
  const p = await db.mpesaPayment.findUnique({
    where: { checkoutId: input.checkoutId },
    select: { id: true, amountKes: true, receiptNumber: true, phone: true },
  });
  if (!p) throw new Error(`no M-Pesa payment for checkout ${input.checkoutId}`);
  const o = input.outcome;
  if (o.kind === "paid") {
    if (o.receipt && p.receiptNumber && p.receiptNumber !== o.receipt) {
      // A second, different receipt for one prompt never happens on M-Pesa: keep the first.
      const c = await db.checkout.findUniqueOrThrow({ where: { id: input.checkoutId }, select: { status: true, exception: true } });
      return { changed: false, status: c.status, exception: c.exception, note: `receipt ${o.receipt} differs from the recorded ${p.receiptNumber}; ignored` };
    }
    try {
      await db.mpesaPayment.update({
        where: { id: p.id },
        data: {
          resultCode: input.resultCode,
          resultDesc: input.resultDesc,
          ...(o.receipt && !p.receiptNumber ? { receiptNumber: o.receipt } : {}),
          ...(o.transactionDate ? { transactionDate: o.transactionDate } : {}),
        },
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // The receipt already paid another checkout: a replayed or forged callback.
      const c = await db.checkout.findUniqueOrThrow({ where: { id: input.checkoutId }, select: { status: true, exception: true } });
      return { changed: false, status: c.status, exception: c.exception, note: `receipt ${o.receipt} already pays another checkout; ignored` };
    }
    const amount = BigInt(o.amount ?? p.amountKes);
    const r = await markProviderPaid(input.checkoutId, {
      amount,
      cause: input.cause,
      now: input.now,
      message: `M-Pesa ${input.via}: KES ${amount} paid${o.receipt ? `, receipt ${o.receipt}` : ""} from ${maskPhone(p.phone)}`,
      data: { resultCode: input.resultCode, receipt: o.receipt, amountKes: amount.toString(), via: input.via },
    });
    return { changed: r.changed, status: r.status, exception: r.exception };
  }
  // Failure: record it unless a receipt (a success) is already recorded.
  await db.mpesaPayment.updateMany({ where: { id: p.id, receiptNumber: null }, data: { resultCode: input.resultCode, resultDesc: input.resultDesc } });
  const r = await markProviderFailed(input.checkoutId, {
    cause: input.cause,
    now: input.now,
    buyerMessage: o.buyerMessage,
    message: `M-Pesa ${input.via}: result ${input.resultCode} (${input.resultDesc || "no description"})`,
    data: { resultCode: input.resultCode, resultDesc: input.resultDesc, via: input.via },
  });
  return { changed: r.changed, status: r.status, exception: r.exception };
}
