import "server-only";
import { createProviderCheckout, markProviderFailed, setExternalRef } from "@/lib/checkouts/provider";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { convertFiat, fiatDecimals } from "@/lib/money/amounts";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import type { Rail, RailObservation } from "@/lib/rails/types";
import { fixedFxSource } from "@/lib/rates/fx";
import { RateError } from "@/lib/rates/types";
import { outcomeFor } from "./callback";
import { darajaClient } from "./client";
import { mpesaSettings } from "./config";
import { DarajaError } from "./daraja";
import { applyMpesaResult } from "./payments";
import { normalizeKenyanPhone, PhoneError } from "./phone";
import { mpesaDetails, ownMpesaCheckout } from "./view";
import "./webhook"; // registers the callback processor with the webhook inbox

// M-Pesa Express: the buyer gives a phone number, we send the STK push (a PIN prompt on the
// phone) for the package price in whole shillings, and M-Pesa tells us the outcome by
// callback. If no callback arrives within MPESA_QUERY_AFTER_SECONDS, observe() asks the STK
// Push Query API and applies the same mapping.

/** Don't ask Daraja about one prompt more often than this (the reconciler may look every few seconds). */
const QUERY_EVERY_MS = 15_000;

export async function startMpesaCheckout(input: { userId: string; packageId: string; phone: string }): Promise<{ checkoutId: string }> {
  const s = mpesaSettings();
  if (s.mode === "off") throw new AppError("not_found", "M-Pesa payments are not enabled here.");
  let phone: string;
  try {
    phone = normalizeKenyanPhone(input.phone);
  } catch (err) {
    if (err instanceof PhoneError) throw new AppError("validation_failed", err.message, { fieldErrors: { phone: [err.message] } });
    throw err;
  }
  const fx = fixedFxSource(s.fxFixedRates);
  let checkout;
  try {
    checkout = await createProviderCheckout({
      userId: input.userId,
      packageId: input.packageId,
      rail: "mpesa",
      amountFor: async (pkg) => {
        const rate = await fx.getFxRate(pkg.currency, "KES");
        const kes = convertFiat({
          amountMinor: BigInt(pkg.priceMinor),
          fromDecimals: fiatDecimals(pkg.currency),
          toDecimals: 0,
          rate: rate.rate,
          rounding: "up",
        });
        return { expectedAmount: kes < 1n ? 1n : kes, amountUnit: "KES", rate: { value: rate.rate, source: rate.source, at: rate.at } };
      },
      describe: (pkg, kes) =>
        `M-Pesa checkout started: KES ${kes} for ${pkg.name}${s.mode === "local" ? " (local sandbox)" : s.testMoney ? " (Daraja sandbox)" : ""}`,
    });
  } catch (err) {
    if (err instanceof RateError) {
      log.error({ err: err.message }, "M-Pesa: no KES rate for the package currency");
      throw new AppError("unavailable", "M-Pesa cannot price this package just now. Please choose another way to pay.");
    }
    throw err;
  }
  const amountKes = Number(checkout.expectedAmount);
  await db.mpesaPayment.create({ data: { checkoutId: checkout.id, phone, amountKes, sandbox: s.testMoney } });

  try {
    const client = await darajaClient();
    const pushed = await client.stkPush({
      transactionType: s.transactionType,
      amount: amountKes,
      phone,
      partyB: s.partyB,
      callbackUrl: s.callbackUrl,
      accountReference: `SAT${checkout.id.slice(-9)}`,
      transactionDesc: checkout.packageName,
    });
    await db.mpesaPayment.update({
      where: { checkoutId: checkout.id },
      data: { merchantRequestId: pushed.merchantRequestId, checkoutRequestId: pushed.checkoutRequestId },
    });
    await setExternalRef(checkout.id, pushed.checkoutRequestId);
  } catch (err) {
    // The checkout exists: the buyer sees why it failed and a "Try again" button.
    const refused = err instanceof DarajaError && err.kind === "rejected";
    log.warn({ err: (err as Error).message, checkoutId: checkout.id }, "M-Pesa STK push failed");
    await markProviderFailed(checkout.id, {
      cause: "system",
      buyerMessage: refused
        ? "M-Pesa refused to send the payment prompt to this number. Check the number is an active M-Pesa line and try again."
        : "We could not send the M-Pesa prompt to your phone just now. Please try again in a minute.",
      message: `STK push failed: ${(err as Error).message}`,
    });
    return { checkoutId: checkout.id };
  }
  await emitEvent(EVENTS.created, { checkoutId: checkout.id, source: "buyer" });
  return { checkoutId: checkout.id };
}

/**
 * Asks Daraja about an open M-Pesa checkout whose callback is overdue (older than
 * MPESA_QUERY_AFTER_SECONDS) and applies the answer. Earlier, or while Daraja says "still
 * being processed", nothing changes. Safe to run twice.
 */
export async function observeMpesaCheckout(checkoutId: string, opts: { now?: Date; force?: boolean } = {}): Promise<RailObservation> {
  const now = opts.now ?? new Date();
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { status: true, exception: true, rail: true, expiresAt: true, mpesa: { select: { checkoutRequestId: true, createdAt: true, queriedAt: true } } },
  });
  if (c?.rail !== "mpesa") throw new AppError("not_found", "No such M-Pesa checkout.");
  const same = { status: c.status, exception: c.exception, changed: false };
  const p = c.mpesa;
  if ((c.status !== "pending" && c.status !== "confirming") || !p?.checkoutRequestId) return same;
  const s = mpesaSettings();
  if (!opts.force) {
    if (now.getTime() - p.createdAt.getTime() < s.queryAfterSeconds * 1000) return same;
    if (p.queriedAt && now.getTime() - p.queriedAt.getTime() < QUERY_EVERY_MS) return same;
  }
  // Claim the query (one asker across instances), then ask.
  const { count } = await db.mpesaPayment.updateMany({
    where: { checkoutId, ...(opts.force ? {} : { OR: [{ queriedAt: null }, { queriedAt: { lt: new Date(now.getTime() - QUERY_EVERY_MS) } }] }) },
    data: { queriedAt: now },
  });
  await db.checkout.update({ where: { id: checkoutId }, data: { lastObservedAt: now } });
  if (count === 0) return same;
  const client = await darajaClient();
  const q = await client.stkQuery(p.checkoutRequestId);
  // A prompt M-Pesa still calls "being processed" after the checkout expired will not be
  // paid any more: treat it as M-Pesa's own expiry (1019). A late success still pays it.
  if (q.state === "pending" && now < c.expiresAt) return same;
  const [code, desc] = q.state === "pending" ? [1019, "No answer before the checkout expired"] : [q.resultCode, q.resultDesc];
  const r = await applyMpesaResult({
    checkoutId,
    resultCode: code,
    resultDesc: desc,
    outcome: outcomeFor(code, desc),
    cause: "system",
    via: "STK query",
    now,
  });
  return { status: r.status, exception: r.exception, changed: r.changed };
}

/** "Try again": a new checkout for the same package and phone (a fresh prompt). */
export async function retryMpesaCheckout(checkoutId: string, userId: string): Promise<{ checkoutId: string }> {
  const c = await ownMpesaCheckout(checkoutId, userId);
  if (c.status !== "failed" && c.status !== "expired") throw new AppError("conflict", "This payment is not finished yet.");
  return startMpesaCheckout({ userId, packageId: c.packageId, phone: c.mpesa!.phone });
}

export const mpesaRail: Rail = {
  id: "mpesa",
  label: "M-Pesa",
  enabled: () => mpesaSettings().mode !== "off",
  sandbox: () => mpesaSettings().mode === "local",
  fields: [
    { name: "phone", label: "M-Pesa phone number", type: "tel", hint: "The Safaricom number that gets the payment prompt, e.g. 0712 345 678", required: true },
  ],
  async start({ userId, packageId, fields }) {
    return startMpesaCheckout({ userId, packageId, phone: fields.phone ?? "" });
  },
  observe: (checkoutId) => observeMpesaCheckout(checkoutId),
  viewDetails: async (checkoutId) => (await mpesaDetails(checkoutId)) ?? {},
};
