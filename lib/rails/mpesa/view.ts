import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { mpesaSettings } from "./config";
import { maskPhone } from "./phone";
import { startMpesaCheckout } from "./rail";
import { localDaraja } from "./sandbox";
import type { BuyerAction } from "./sandbox/server";

// What the checkout page's M-Pesa panel needs beyond the shared checkout view, the local
// sandbox's "buyer" controls, and "Try again". Owner (or, for reading, admin) only; anyone
// else gets null / not_found, so ids reveal nothing.

export interface MpesaDetails {
  phoneMasked: string;
  amountKes: number;
  receiptNumber: string | null;
  failureMessage: string | null;
  /** The local fake serves this checkout: the page shows the sandbox controls. */
  localSandbox: boolean;
  /** No real money (local fake or Daraja's sandbox). */
  testMoney: boolean;
  /** Prompt sent (Daraja accepted the STK push). */
  prompted: boolean;
}

export async function mpesaDetails(checkoutId: string, viewer: { id: string; role: string }): Promise<MpesaDetails | null> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { userId: true, rail: true, failureMessage: true, mpesa: { select: { phone: true, amountKes: true, receiptNumber: true, sandbox: true, checkoutRequestId: true } } },
  });
  if (!c || c.rail !== "mpesa" || !c.mpesa || (c.userId !== viewer.id && viewer.role !== "admin")) return null;
  return {
    phoneMasked: maskPhone(c.mpesa.phone),
    amountKes: c.mpesa.amountKes,
    receiptNumber: c.mpesa.receiptNumber,
    failureMessage: c.failureMessage,
    localSandbox: mpesaSettings().mode === "local" && c.mpesa.sandbox,
    testMoney: c.mpesa.sandbox,
    prompted: c.mpesa.checkoutRequestId !== null,
  };
}

async function ownMpesaCheckout(checkoutId: string, userId: string) {
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

/** "Try again": a new checkout for the same package and phone (a fresh prompt). */
export async function retryMpesaCheckout(checkoutId: string, userId: string): Promise<{ checkoutId: string }> {
  const c = await ownMpesaCheckout(checkoutId, userId);
  if (c.status !== "failed" && c.status !== "expired") throw new AppError("conflict", "This payment is not finished yet.");
  return startMpesaCheckout({ userId, packageId: c.packageId, phone: c.mpesa!.phone });
}
