import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { mpesaSettings } from "../config";
import { localDaraja } from "./index";
import type { BuyerAction } from "./server";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/controls.ts");

// The local sandbox's "buyer" controls on the checkout page (the checkout's owner only;
// anyone else gets not_found, so ids reveal nothing).

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
