import "server-only";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { Fact } from "@/lib/rails/types";
import type { MpesaOutcome } from "./callback";
import { maskPhone } from "./phone";

// What M-Pesa said about a prompt — from the callback or an STK query — recorded on the
// payment row and turned into facts for the checkout core. Safe to run twice with the same
// answer: the receipt is written once (unique across all payments).

export interface MpesaResult {
  checkoutId: string;
  resultCode: number;
  resultDesc: string;
  outcome: MpesaOutcome;
  /** "callback" or "STK query", for the timeline. */
  via: string;
}

export async function mpesaFacts(input: MpesaResult): Promise<{ facts: Fact[]; note?: string }> {
  const p = await db.mpesaPayment.findUnique({
    where: { checkoutId: input.checkoutId },
    select: { id: true, amountKes: true, receiptNumber: true, phone: true },
  });
  if (!p) throw new Error(`no M-Pesa payment for checkout ${input.checkoutId}`);
  const o = input.outcome;
  if (o.kind === "paid") {
    // A second, different receipt for one prompt never happens on M-Pesa: keep the first.
    if (o.receipt && p.receiptNumber && p.receiptNumber !== o.receipt)
      return { facts: [], note: `receipt ${o.receipt} differs from the recorded ${p.receiptNumber}; ignored` };
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
      return { facts: [], note: `receipt ${o.receipt} already pays another checkout; ignored` };
    }
    const amount = BigInt(o.amount ?? p.amountKes);
    return {
      facts: [
        {
          kind: "paid",
          amount,
          ...(o.receipt ? { ref: o.receipt } : {}),
          message: `M-Pesa ${input.via}: KES ${amount} paid${o.receipt ? `, receipt ${o.receipt}` : ""} from ${maskPhone(p.phone)}`,
          data: { resultCode: input.resultCode, receipt: o.receipt, amountKes: amount.toString(), via: input.via },
        },
      ],
    };
  }
  // Failure: record it unless a receipt (a success) is already recorded.
  await db.mpesaPayment.updateMany({ where: { id: p.id, receiptNumber: null }, data: { resultCode: input.resultCode, resultDesc: input.resultDesc } });
  return {
    facts: [
      {
        kind: "failed",
        buyerMessage: o.buyerMessage,
        message: `M-Pesa ${input.via}: result ${input.resultCode} (${input.resultDesc || "no description"})`,
        data: { resultCode: input.resultCode, resultDesc: input.resultDesc, via: input.via },
      },
    ],
  };
}
