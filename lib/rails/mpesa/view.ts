import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { mpesaSettings } from "./config";
import { maskPhone } from "./phone";
import { localDaraja } from "./sandbox";
import type { BuyerAction } from "./sandbox/server";

// What the checkout page's M-Pesa panel needs beyond the shared checkout view, the local
// sandbox's "buyer" controls, and "Try again" (those two: the checkout's owner only; anyone
// else gets not_found, so ids reveal nothing).

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
}

/** The panel's facts (Rail.viewDetails; the checkout view already checked who may see it). */
export async function mpesaDetails(checkoutId: string): Promise<MpesaDetails | null> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { rail: true, mpesa: { select: { phone: true, amountKes: true, receiptNumber: true, sandbox: true, checkoutRequestId: true } } },
  });
  if (c?.rail !== "mpesa" || !c.mpesa) return null;
  return {
    phoneMasked: maskPhone(c.mpesa.phone),
    amountKes: c.mpesa.amountKes,
    receiptNumber: c.mpesa.receiptNumber,
    localSandbox: mpesaSettings().mode === "local" && c.mpesa.sandbox,
    testMoney: c.mpesa.sandbox,
    prompted: c.mpesa.checkoutRequestId !== null,
  };
}

export async function ownMpesaCheckout(checkoutId: string, userId: string) {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { userId: true, rail: true, packageId: true, status: true, mpesa: { select: { phone: true, checkoutRequestId: true, sandbox: true } } },
  });
  if (!c || c.userId !== userId || c.rail !== "mpesa" || !c.mpesa) throw new AppError("not_found", "No such checkout.");
  return c;
}

/** The sandbox "buyer" answers the prompt; the fake Daraja then sends its callback to us. */
export async function sandboxAct(checkoutId: string, userId: string, action: BuyerAction): Promise<{ delivered: boolean }> {
  const fake = mpesaSettings().mode === "local" ? localDaraja() : null;
  if (!fake) throw new AppError("not_found", "No such checkout.");
  const c = await ownMpesaCheckout(checkoutId, userId);
  if (!c.mpesa!.sandbox || !c.mpesa!.checkoutRequestId) throw new AppError("not_found", "No such checkout.");
  if (c.status !== "pending" && c.status !== "confirming") throw new AppError("conflict", "This payment is already settled.");
  const r = await (await fake).act(c.mpesa!.checkoutRequestId, action);
  return { delivered: r.delivered };
}
