import "server-only";
import { db } from "@/lib/db/client";
import { mpesaSettings } from "./config";
import { maskPhone } from "./phone";

// What the checkout page's M-Pesa panel needs beyond the shared checkout view.

export interface MpesaDetails extends Record<string, string | number | boolean | null> {
  phoneMasked: string;
  amountKes: number;
  receiptNumber: string | null;
  /** The local fake serves this checkout: the page shows the sandbox controls. */
  localSandbox: boolean;
  /** No real money (local fake or Daraja's sandbox). */
  testMoney: boolean;
  /** Prompt sent (Daraja accepted the STK push). */
  prompted: boolean;
  /** When the prompt went out; after resendAfterSeconds with no answer the page offers "send again". */
  promptedAt: string | null;
  resendAfterSeconds: number;
  /** Daraja's ResultCode once known: the page words each code in the buyer's language. */
  resultCode: number | null;
}

/** The panel's facts (Rail.panel; the checkout view already checked who may see it). */
export async function mpesaDetails(checkoutId: string): Promise<MpesaDetails | null> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: {
      rail: true,
      mpesa: { select: { phone: true, amountKes: true, receiptNumber: true, sandbox: true, checkoutRequestId: true, createdAt: true, resultCode: true } },
    },
  });
  if (c?.rail !== "mpesa" || !c.mpesa) return null;
  return {
    phoneMasked: maskPhone(c.mpesa.phone),
    amountKes: c.mpesa.amountKes,
    receiptNumber: c.mpesa.receiptNumber,
    localSandbox: mpesaSettings().mode === "local" && c.mpesa.sandbox,
    testMoney: c.mpesa.sandbox,
    prompted: c.mpesa.checkoutRequestId !== null,
    promptedAt: c.mpesa.checkoutRequestId ? c.mpesa.createdAt.toISOString() : null,
    resendAfterSeconds: mpesaSettings().queryAfterSeconds,
    resultCode: c.mpesa.resultCode,
  };
}
