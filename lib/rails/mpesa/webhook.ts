import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { clientIp } from "@/lib/net/client-ip";
import type { RailWebhook } from "@/lib/rails/types";
import { CallbackError, outcomeFor, parseStkCallback } from "./callback";
import { darajaClient } from "./client";
import { ipAllowed, mpesaSettings } from "./config";
import { mpesaFacts } from "./result";

// The M-Pesa callback at /api/webhooks/mpesa/<MPESA_CALLBACK_TOKEN>. Daraja's callbacks are
// unsigned, so three things stand between a forger and our money:
//   1. the unguessable path token (compared in constant time; a wrong one is a 404 and a
//      stored "rejected" inbox row), and optionally MPESA_ALLOWED_IPS;
//   2. the inbox's dedup key CheckoutRequestID:ResultCode, so a replay is the same row and is
//      processed once, and the unique MpesaReceiptNumber, so one receipt pays one checkout;
//   3. a success is confirmed with Daraja's STK Push Query before it becomes a fact: a
//      "paid" that M-Pesa itself does not confirm changes nothing.
// What Daraja gets back: {"ResultCode": 0, "ResultDesc": "Accepted"} with 200 for every
// callback we stored from it (Daraja does not retry, so a processing failure stays in the
// inbox for the lifecycle's STK query and for an admin's replay). Forged token → 404, an IP
// outside the allow-list → 403, malformed JSON or shape → 400, oversized → 413: none of those
// can come from Daraja, all are stored (except oversized bodies) and none moves money.

export const MPESA_PROVIDER = "mpesa";
export const MAX_MPESA_BODY = 16 * 1024;
export const MPESA_ACK = { ResultCode: 0, ResultDesc: "Accepted" } as const;

export function mpesaTokenOk(token: string): boolean {
  const s = mpesaSettings();
  if (s.mode === "off") return false;
  const a = createHash("sha256").update(token).digest();
  const b = createHash("sha256").update(s.callbackToken).digest();
  return timingSafeEqual(a, b);
}

export const mpesaWebhook: RailWebhook = {
  provider: MPESA_PROVIDER,
  maxBody: MAX_MPESA_BODY,
  async verify({ path, headers, body }) {
    if (path.length !== 1 || !mpesaTokenOk(path[0]!)) return { ok: false, status: 404, message: "Not found.", verifyError: "unknown callback token" };
    const allowed = mpesaSettings().allowedIps;
    if (allowed) {
      const ip = clientIp(headers);
      if (!ip || !ipAllowed(ip, allowed))
        return { ok: false, status: 403, message: "Not allowed.", verifyError: `caller ${ip ?? "unknown"} is not in MPESA_ALLOWED_IPS` };
    }
    try {
      const cb = parseStkCallback(JSON.parse(body));
      return { ok: true, dedupKey: `${cb.checkoutRequestId}:${cb.resultCode}`, payload: cb };
    } catch (err) {
      const why = err instanceof CallbackError ? err.message : "the body is not JSON";
      return { ok: false, status: 400, message: `Not an M-Pesa STK callback: ${why}.`, verifyError: `malformed callback: ${why}` };
    }
  },
  async parse(row) {
    const cb = (row.payload as ReturnType<typeof parseStkCallback> | undefined) ?? parseStkCallback(JSON.parse(row.body));
    const payment = await db.mpesaPayment.findUnique({
      where: { checkoutRequestId: cb.checkoutRequestId },
      select: { checkoutId: true, merchantRequestId: true },
    });
    if (!payment) return { checkoutId: null, facts: [], ignored: true, note: "no payment has this CheckoutRequestID" };
    if (payment.merchantRequestId && payment.merchantRequestId !== cb.merchantRequestId)
      return { checkoutId: payment.checkoutId, facts: [], ignored: true, note: "MerchantRequestID does not match the prompt we sent" };

    let resultCode = cb.resultCode;
    let resultDesc = cb.resultDesc;
    let outcome = cb.outcome;
    if (outcome.kind === "paid") {
      // Unsigned callbacks never move money on their own: M-Pesa must confirm the success.
      const q = await (await darajaClient()).stkQuery(cb.checkoutRequestId);
      if (q.state === "pending") throw new Error("M-Pesa has not confirmed this payment yet (STK query: still processing); the lifecycle asks again");
      if (q.resultCode !== 0) {
        log.warn({ checkoutId: payment.checkoutId, queried: q.resultCode }, "M-Pesa callback said paid but the STK query did not confirm it");
        resultCode = q.resultCode;
        resultDesc = q.resultDesc;
        outcome = outcomeFor(q.resultCode, q.resultDesc);
      }
    }
    const r = await mpesaFacts({ checkoutId: payment.checkoutId, resultCode, resultDesc, outcome, via: "callback" });
    return { checkoutId: payment.checkoutId, facts: r.facts, ...(r.note ? { note: r.note, ignored: true } : {}) };
  },
  respond: () => ({ status: 200, body: MPESA_ACK }),
};
