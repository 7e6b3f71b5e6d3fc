import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { db } from "@/lib/db/client";
import { fingerprint } from "@/lib/inbox/inbox";
import { log } from "@/lib/log";
import { clientIp } from "@/lib/net/client-ip";
import type { Fact, RailWebhook } from "@/lib/rails/types";
import { CallbackError, type MpesaOutcome, outcomeFor, parseStkCallback } from "./callback";
import { darajaClient } from "./client";
import { ipAllowed, mpesaSettings } from "./config";
import { mpesaFacts } from "./result";

// The M-Pesa callback at /api/webhooks/mpesa/<MPESA_CALLBACK_TOKEN>. Daraja's callbacks are
// unsigned, so three things stand between a forger and our money:
//   1. the unguessable path token (compared in constant time; a wrong one is a 404 and a
//      stored "rejected" inbox row), and optionally MPESA_ALLOWED_IPS;
//   2. the inbox's dedup key CheckoutRequestID:ResultCode:<hash of the body>, so a replay of
//      the same body is the same row and is processed once — but a different body for the
//      same prompt (a forger's, sent before the buyer paid) is a row of its own and never
//      stands in for Daraja's genuine callback; the unique MpesaReceiptNumber, so one receipt
//      pays one checkout;
//   3. every result is confirmed with Daraja's STK Push Query before it becomes a fact. The
//      query names the prompt's final ResultCode (no amount, no receipt): the amount is the
//      one we prompted for, which is what M-Pesa charges on a success. A callback whose
//      ResultCode or Amount disagrees with that is flagged for an admin and never applied
//      (what the query confirmed is); a second, different receipt for one prompt is flagged.
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
      return { ok: true, dedupKey: `${cb.checkoutRequestId}:${cb.resultCode}:${fingerprint(body)}`, payload: cb };
    } catch (err) {
      const why = err instanceof CallbackError ? err.message : "the body is not JSON";
      return { ok: false, status: 400, message: `Not an M-Pesa STK callback: ${why}.`, verifyError: `malformed callback: ${why}` };
    }
  },
  async parse(row) {
    const cb = (row.payload as ReturnType<typeof parseStkCallback> | undefined) ?? parseStkCallback(JSON.parse(row.body));
    const payment = await db.mpesaPayment.findUnique({
      where: { checkoutRequestId: cb.checkoutRequestId },
      select: { checkoutId: true, merchantRequestId: true, amountKes: true, receiptNumber: true },
    });
    if (!payment) return { checkoutId: null, facts: [], ignored: true, note: "no payment has this CheckoutRequestID" };
    if (payment.merchantRequestId && payment.merchantRequestId !== cb.merchantRequestId)
      return { checkoutId: payment.checkoutId, facts: [], ignored: true, note: "MerchantRequestID does not match the prompt we sent" };

    // Unsigned callbacks never decide on their own: M-Pesa must confirm the result. Until it
    // does, the row fails (a redelivery or an admin's replay tries again; the lifecycle's own
    // STK query settles the checkout meanwhile).
    const q = await (await darajaClient()).stkQuery(cb.checkoutRequestId);
    if (q.state === "pending") throw new Error("M-Pesa has not confirmed this result yet (STK query: still processing); the lifecycle asks again");
    const said = cb.outcome;
    const mismatch: string[] = [];
    if (q.resultCode !== cb.resultCode) mismatch.push(`result ${cb.resultCode}, but M-Pesa's STK query says result ${q.resultCode}`);
    else if (said.kind === "paid" && said.amount !== null && said.amount !== payment.amountKes)
      mismatch.push(`KES ${said.amount} paid, but the prompt M-Pesa confirmed was for KES ${payment.amountKes}`);
    else if (said.kind === "paid" && said.receipt && payment.receiptNumber && said.receipt !== payment.receiptNumber)
      mismatch.push(`receipt ${said.receipt}, but receipt ${payment.receiptNumber} is already recorded for this prompt`);
    const attention: Fact[] = [];
    let outcome: MpesaOutcome = said;
    if (mismatch.length) {
      const receipt = said.kind === "paid" && said.receipt ? ` (receipt ${said.receipt})` : "";
      const reason = `M-Pesa callback${receipt} says ${mismatch.join("; ")}: not applied; check the M-Pesa statement`;
      log.warn({ checkoutId: payment.checkoutId, queried: q.resultCode, said: cb.resultCode }, "M-Pesa callback disagrees with the STK query");
      attention.push({ kind: "attention", reason });
      // What M-Pesa itself confirmed is applied; nothing of the disagreeing callback is.
      outcome = outcomeFor(q.resultCode, q.resultDesc);
    } else if (said.kind === "paid") {
      // The amount is the one M-Pesa confirmed (the prompt's), never the callback's number.
      outcome = { ...said, amount: payment.amountKes };
    }
    const resultDesc = mismatch.length ? q.resultDesc : cb.resultDesc;
    const r = await mpesaFacts({ checkoutId: payment.checkoutId, resultCode: q.resultCode, resultDesc, outcome, via: "callback" });
    const facts = [...attention, ...r.facts];
    return { checkoutId: payment.checkoutId, facts, ...(r.note ? { note: r.note, ignored: attention.length === 0 } : {}) };
  },
  respond: () => ({ status: 200, body: MPESA_ACK }),
};
