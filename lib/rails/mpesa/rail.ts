import "server-only";
import { db } from "@/lib/db/client";
import { takeSlot } from "@/lib/db/limit";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { convertFiat, fiatDecimals } from "@/lib/money/amounts";
import type { Observation, ObserveInput, Rail } from "@/lib/rails/types";
import { fixedFxSource } from "@/lib/rates/fx";
import { RateError } from "@/lib/rates/types";
import { outcomeFor } from "./callback";
import { darajaClient } from "./client";
import { mpesaSettings } from "./config";
import { DarajaError } from "./daraja";
import { mpesaDetails } from "./panel";
import { normalizeKenyanPhone, PhoneError } from "./phone";
import { mpesaFacts } from "./result";
import type { BuyerAction } from "./sandbox/server";
import { mpesaSandboxControls } from "./sandbox-gate";
import { mpesaWebhook } from "./webhook";

// M-Pesa Express: the buyer gives a phone number, we send the STK push (a PIN prompt on the
// phone) for the package price in whole shillings, and M-Pesa tells us the outcome by
// callback (webhook.ts). If no callback arrives within MPESA_QUERY_AFTER_SECONDS, observe()
// asks the STK Push Query API and says the same facts.

/** Don't ask Daraja about one prompt more often than this (the reconciler may look every few seconds). */
const QUERY_EVERY_MS = 15_000;

export const PROMPT_REFUSED = "M-Pesa refused to send the payment prompt to this number. Check the number is an active M-Pesa line and try again.";
export const PROMPTS_LIMITED = "This number has had too many M-Pesa payment prompts in the last hour. Please try again later, or choose another way to pay.";
export const PROMPT_FAILED = "We could not send the M-Pesa prompt to your phone just now. Please try again in a minute.";

interface MpesaContext {
  phone: string;
}

export const mpesaRail: Rail<MpesaContext> = {
  id: "mpesa",
  label: "M-Pesa",
  hint: "A payment prompt on your phone",
  enabled: () => mpesaSettings().mode !== "off",
  sandbox: () => mpesaSettings().mode === "local",
  fields: [
    { name: "phone", label: "M-Pesa phone number", type: "tel", hint: "The Safaricom number that gets the payment prompt, e.g. 0712 345 678", required: true },
  ],

  async prepare({ pkg, fields }) {
    const s = mpesaSettings();
    if (s.mode === "off") throw new AppError("not_found", "M-Pesa payments are not enabled here.");
    let phone: string;
    try {
      phone = normalizeKenyanPhone(fields.phone ?? "");
    } catch (err) {
      if (err instanceof PhoneError) throw new AppError("validation_failed", err.message, { fieldErrors: { phone: [err.message] } });
      throw err;
    }
    let rate;
    try {
      rate = await fixedFxSource(s.fxFixedRates).getFxRate(pkg.currency, "KES");
    } catch (err) {
      if (err instanceof RateError) {
        log.error({ err: err.message }, "M-Pesa: no KES rate for the package currency");
        throw new AppError("unavailable", "M-Pesa cannot price this package just now. Please choose another way to pay.");
      }
      throw err;
    }
    const kes = convertFiat({ amountMinor: BigInt(pkg.priceMinor), fromDecimals: fiatDecimals(pkg.currency), toDecimals: 0, rate: rate.rate, rounding: "up" });
    const expected = kes < 1n ? 1n : kes;
    return {
      expectedAmount: expected,
      amountUnit: "KES",
      rate: { value: rate.rate, source: rate.source, at: rate.at },
      describe: `M-Pesa checkout started: KES ${expected} for ${pkg.name}${s.mode === "local" ? " (local sandbox)" : s.testMoney ? " (Daraja sandbox)" : ""}`,
      context: { phone },
    };
  },

  // Any Safaricom number can be typed in, so prompts to one number are limited across every
  // buyer, decided inside the transaction that creates the checkout (lib/db/limit.ts).
  async reserve(tx, prepared) {
    const phone = prepared.context.phone;
    const used = await takeSlot(tx, { key: `mpesa-prompt:${phone}`, limit: mpesaSettings().promptsPerPhonePerHour, windowMs: 3_600_000 });
    if (used === null) throw new AppError("rate_limited", PROMPTS_LIMITED, { fieldErrors: { phone: [PROMPTS_LIMITED] } });
    return {};
  },

  async start(checkout, prepared) {
    const s = mpesaSettings();
    const amountKes = Number(checkout.expectedAmount);
    await db.mpesaPayment.create({ data: { checkoutId: checkout.id, phone: prepared.context.phone, amountKes, sandbox: s.testMoney } });
    try {
      const client = await darajaClient();
      const pushed = await client.stkPush({
        transactionType: s.transactionType,
        amount: amountKes,
        phone: prepared.context.phone,
        partyB: s.partyB,
        callbackUrl: s.callbackUrl,
        accountReference: `SAT${checkout.id.slice(-9)}`,
        transactionDesc: checkout.packageName,
      });
      await db.mpesaPayment.update({
        where: { checkoutId: checkout.id },
        data: { merchantRequestId: pushed.merchantRequestId, checkoutRequestId: pushed.checkoutRequestId },
      });
      return { externalRef: pushed.checkoutRequestId };
    } catch (err) {
      // The checkout exists: the buyer sees why it failed and a "Try again" button.
      const refused = err instanceof DarajaError && err.kind === "rejected";
      log.warn({ err: (err as Error).message, checkoutId: checkout.id }, "M-Pesa STK push failed");
      return {
        facts: [{ kind: "failed", buyerMessage: refused ? PROMPT_REFUSED : PROMPT_FAILED, message: `STK push failed: ${(err as Error).message}` }],
      };
    }
  },

  observe: observeMpesa,
  webhook: mpesaWebhook,

  async panel(c) {
    return { details: (await mpesaDetails(c.id)) ?? {} };
  },

  async retryFields(checkout) {
    const p = await db.mpesaPayment.findUnique({ where: { checkoutId: checkout.id }, select: { phone: true } });
    if (!p) throw new AppError("not_found", "No such checkout.");
    return { phone: p.phone };
  },

  async sandboxControls(checkout, action) {
    const controls = await mpesaSandboxControls();
    if (!controls) throw new AppError("not_found", "No such checkout.");
    return { result: await controls.sandboxAct(checkout.id, checkout.userId, action as BuyerAction), observe: false };
  },
};

/**
 * Asks Daraja about an open M-Pesa checkout whose callback is overdue (older than
 * MPESA_QUERY_AFTER_SECONDS). Earlier, or while Daraja says "still being processed", there
 * is nothing to say. Once the checkout is due to expire, a prompt Daraja still calls "being
 * processed" will not be paid any more: that is M-Pesa's own expiry (1019).
 */
async function observeMpesa({ checkout: c, now, force }: ObserveInput): Promise<Observation> {
  const none: Observation = { facts: [] };
  if (c.status !== "pending" && c.status !== "confirming") return none;
  const p = await db.mpesaPayment.findUnique({ where: { checkoutId: c.id }, select: { checkoutRequestId: true, createdAt: true, queriedAt: true } });
  if (!p?.checkoutRequestId) return none;
  const s = mpesaSettings();
  // At expiry the answer decides between paid and failed, so the throttle does not apply then.
  const due = now >= c.expiresAt;
  if (!force) {
    if (now.getTime() - p.createdAt.getTime() < s.queryAfterSeconds * 1000) return none;
    if (!due && p.queriedAt && now.getTime() - p.queriedAt.getTime() < QUERY_EVERY_MS) return none;
  }
  // Claim the query (one asker across instances), then ask.
  const claimOpen = force || due ? {} : { OR: [{ queriedAt: null }, { queriedAt: { lt: new Date(now.getTime() - QUERY_EVERY_MS) } }] };
  const { count } = await db.mpesaPayment.updateMany({ where: { checkoutId: c.id, ...claimOpen }, data: { queriedAt: now } });
  if (count === 0) return none;
  const q = await (await darajaClient()).stkQuery(p.checkoutRequestId);
  if (q.state === "pending" && !due) return none;
  const [code, desc] = q.state === "pending" ? [1019, "No answer before the checkout expired"] : [q.resultCode, q.resultDesc];
  const r = await mpesaFacts({ checkoutId: c.id, resultCode: code, resultDesc: desc, outcome: outcomeFor(code, desc), via: "STK query" });
  return { facts: r.facts };
}
