import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { reconcile } from "@/lib/lifecycle/reconcile";
import { createUser } from "@/test/factories";
import { mpesaSandbox } from "@/test/mpesa";
import { handleMpesaCallback, observeMpesaCheckout, startMpesaCheckout, webhookRoute } from "@/test/rails";

const callbackRoute = webhookRoute("mpesa");

import { resetMpesaSettingsForTests } from "./config";
import { stopLocalDaraja } from "./sandbox";
import type { BuyerAction, FakeDaraja } from "./sandbox/server";

// The M-Pesa rail end to end against real PostgreSQL and the local fake Daraja: STK push,
// callbacks through the webhook inbox (and the route), STK query, crediting once.

const TOKEN = "test-callback-token-0123456789abcdef";
let fake: FakeDaraja;

beforeAll(async () => {
  fake = await mpesaSandbox({ MPESA_CALLBACK_TOKEN: TOKEN });
  registerLocalHandlers();
});
afterAll(async () => {
  await stopLocalDaraja();
});

async function started(phone = "0712345678") {
  const user = await createUser();
  const { checkoutId } = await startMpesaCheckout({ userId: user.id, packageId: "medium", phone });
  const checkout = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { mpesa: true } });
  return { user, checkout, payment: checkout.mpesa!, requestId: checkout.mpesa!.checkoutRequestId! };
}

/** The buyer acts on the fake; returns the callback body Daraja sends (its own POST goes nowhere in tests). */
async function buyer(requestId: string, action: BuyerAction): Promise<string> {
  const { body } = await fake.act(requestId, action);
  return JSON.stringify(body);
}

const callback = (body: string, token = TOKEN, headers: Record<string, string> = {}) =>
  handleMpesaCallback(token, new Headers({ "content-type": "application/json", ...headers }), body);

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;
const checkoutOf = (id: string) => db.checkout.findUniqueOrThrow({ where: { id } });

describe("starting an M-Pesa checkout", () => {
  it("prices in whole shillings at the fixed rate, sends the STK push in Daraja's shape and records it", async () => {
    const { checkout, payment, requestId } = await started("+254 712 345 678");
    expect(checkout).toMatchObject({
      rail: "mpesa",
      status: "pending",
      expectedAmount: 2590n,
      amountUnit: "KES",
      rateValue: "129.5",
      rateSource: "fixed",
      externalRef: requestId,
    });
    expect(payment).toMatchObject({ phone: "254712345678", amountKes: 2590, sandbox: true, receiptNumber: null });
    const sent = fake.requests.get(requestId)!;
    expect(sent).toMatchObject({
      amount: 2590,
      phone: "254712345678",
      shortcode: "174379",
      partyB: "174379",
      transactionType: "CustomerPayBillOnline",
      transactionDesc: "Medium",
    });
    expect(sent.callbackUrl).toBe(`http://127.0.0.1:9/api/webhooks/mpesa/${TOKEN}`);
    expect(sent.accountReference.length).toBeLessThanOrEqual(12);
    expect(payment.merchantRequestId).toBe(sent.merchantRequestId);
  });

  it("refuses a number M-Pesa cannot prompt, before creating anything", async () => {
    const user = await createUser();
    const err = await startMpesaCheckout({ userId: user.id, packageId: "medium", phone: "0612345678" }).catch((e) => e);
    expect(isAppError(err) && err.code).toBe("validation_failed");
    expect(err.message).toContain("Safaricom M-Pesa number");
    expect(await db.checkout.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("the callback", () => {
  it("approve → paid with the receipt → credited once, answered with Daraja's acknowledgement", async () => {
    const { user, checkout, requestId } = await started();
    const body = await buyer(requestId, "approve");
    const res = await callbackRoute(
      new Request(`http://x/api/webhooks/mpesa/${TOKEN}`, { method: "POST", headers: { "content-type": "application/json" }, body }),
      {
        params: Promise.resolve({ token: TOKEN }),
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ResultCode: 0, ResultDesc: "Accepted" });
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(after.status).toBe("credited");
    expect(after.receivedAmount).toBe(2590n);
    expect(after.mpesa!.receiptNumber).toBe(fake.requests.get(requestId)!.result!.receipt);
    expect(after.mpesa!.resultCode).toBe(0);
    expect(await balance(user.id)).toBe(500);
  });

  it("1,000 duplicate callbacks → one inbox row, one credit", async () => {
    const { user, checkout, requestId } = await started();
    const body = await buyer(requestId, "approve");
    for (let i = 0; i < 1000; i += 50) await Promise.all(Array.from({ length: 50 }, () => callback(body)));
    expect(await balance(user.id)).toBe(500);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkout.id) } })).toBe(1);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
    const rows = await db.webhookInbox.findMany({ where: { provider: "mpesa", dedupKey: { startsWith: `${requestId}:0:` } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "processed", checkoutId: checkout.id, verified: true });
    expect((await checkoutOf(checkout.id)).status).toBe("credited");
    // 1,000 calls through the whole inbox: minutes, not seconds, on a loaded shared machine.
  }, 120_000);

  it("a forged token → 404 and a stored rejected row; nothing moves", async () => {
    const { user, checkout, requestId } = await started();
    const body = await buyer(requestId, "approve");
    const err = await callback(body, "guessed-token-0123456789abcdefgh").catch((e) => e);
    expect(isAppError(err) && err.status).toBe(404);
    const res = await callbackRoute(
      new Request("http://x/api/webhooks/mpesa/nope", { method: "POST", headers: { "content-type": "application/json" }, body }),
      {
        params: Promise.resolve({ token: "nope" }),
      },
    );
    expect(res.status).toBe(404);
    // The same body for the same reason is one row; the second call is counted on it.
    const rejected = await db.webhookInbox.findMany({ where: { provider: "mpesa", status: "rejected", body } });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ verified: false, verifyError: "unknown callback token", repeats: 1 });
    expect((await checkoutOf(checkout.id)).status).toBe("pending");
    expect(await balance(user.id)).toBe(0);
  });

  it("a 'paid' callback M-Pesa does not confirm (the buyer cancelled) never pays", async () => {
    const { user, checkout, requestId } = await started();
    const real = JSON.parse(await buyer(requestId, "cancel"));
    const forged = {
      Body: {
        stkCallback: {
          ...real.Body.stkCallback,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          CallbackMetadata: {
            Item: [
              { Name: "Amount", Value: 2590 },
              { Name: "MpesaReceiptNumber", Value: "FORGED1234" },
              { Name: "PhoneNumber", Value: 254712345678 },
            ],
          },
        },
      },
    };
    await callback(JSON.stringify(forged));
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(after.status).toBe("failed");
    expect(after.mpesa!.receiptNumber).toBeNull();
    expect(await balance(user.id)).toBe(0);
  });

  /** A success callback for the prompt, as a forger who knows its ids would write it. */
  const forgedSuccess = (requestId: string, amount: number, receipt: string) => {
    const sent = fake.requests.get(requestId)!;
    return JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: sent.merchantRequestId,
          CheckoutRequestID: requestId,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          CallbackMetadata: {
            Item: [
              { Name: "Amount", Value: amount },
              { Name: "MpesaReceiptNumber", Value: receipt },
              { Name: "TransactionDate", Value: 20261202093000 },
              { Name: "PhoneNumber", Value: 254712345678 },
            ],
          },
        },
      },
    });
  };

  it("a forged success sent before the buyer pays never stands in for Daraja's genuine callback", async () => {
    const { user, checkout, requestId } = await started();
    const forged = forgedSuccess(requestId, 10, "FORGED1234");
    // M-Pesa has not confirmed anything yet: the forged row waits (failed), nothing moves.
    expect((await callback(forged)).status).toBe("failed");
    expect((await checkoutOf(checkout.id)).status).toBe("pending");
    const genuine = await buyer(requestId, "approve");
    const r = await callback(genuine);
    expect(r).toMatchObject({ status: "processed", duplicate: false });
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(after).toMatchObject({ status: "credited", receivedAmount: 2590n, exception: null });
    expect(after.mpesa!.receiptNumber).toBe(fake.requests.get(requestId)!.result!.receipt);
    expect(await balance(user.id)).toBe(500);
    // The forged body redelivered after the payment is checked against M-Pesa and flagged, not applied.
    await callback(forged);
    const later = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(later).toMatchObject({ status: "credited", receivedAmount: 2590n, exception: null, needsAttention: true });
    expect(later.attentionReason).toContain("KES 10");
    expect(later.mpesa!.receiptNumber).not.toBe("FORGED1234");
    expect(await balance(user.id)).toBe(500);
  });

  it("a callback naming another amount than M-Pesa confirmed is flagged, and the confirmed amount is what counts", async () => {
    const { user, checkout, requestId } = await started();
    const genuine = await buyer(requestId, "approve");
    // The forger races Daraja's callback with a phantom overpayment and a receipt of their own.
    await callback(forgedSuccess(requestId, 9000, "FORGED5678"));
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(after).toMatchObject({ status: "credited", receivedAmount: 2590n, exception: null, needsAttention: true });
    expect(after.attentionReason).toContain("KES 9000");
    expect(after.attentionReason).toContain("FORGED5678");
    expect(after.mpesa!.receiptNumber).toBeNull();
    // Daraja's own callback then records the genuine receipt; still one credit.
    await callback(genuine);
    const final = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(final.mpesa!.receiptNumber).toBe(fake.requests.get(requestId)!.result!.receipt);
    expect(await balance(user.id)).toBe(500);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
  });

  it("a forged failure before the buyer answers fails nothing; M-Pesa's result decides", async () => {
    const { user, checkout, requestId } = await started();
    const sent = fake.requests.get(requestId)!;
    const forged = JSON.stringify({
      Body: {
        stkCallback: { MerchantRequestID: sent.merchantRequestId, CheckoutRequestID: requestId, ResultCode: 1032, ResultDesc: "Request cancelled by user" },
      },
    });
    expect((await callback(forged)).status).toBe("failed");
    expect((await checkoutOf(checkout.id)).status).toBe("pending");
    await callback(await buyer(requestId, "approve"));
    expect((await checkoutOf(checkout.id)).status).toBe("credited");
    expect(await balance(user.id)).toBe(500);
  });

  it("a receipt that already paid another checkout is ignored", async () => {
    const first = await started();
    const paidBody = JSON.parse(await buyer(first.requestId, "approve"));
    await callback(JSON.stringify(paidBody));
    const second = await started();
    const real = JSON.parse(await buyer(second.requestId, "approve"));
    const items = real.Body.stkCallback.CallbackMetadata.Item as { Name: string; Value?: unknown }[];
    items.find((i) => i.Name === "MpesaReceiptNumber")!.Value = paidBody.Body.stkCallback.CallbackMetadata.Item[1].Value;
    const r = await callback(JSON.stringify(real));
    expect(r.status).toBe("ignored");
    expect((await checkoutOf(second.checkout.id)).status).toBe("pending");
    expect(await balance(second.user.id)).toBe(0);
  });

  it.each([
    ["cancel", 1032, "You cancelled the M-Pesa prompt"],
    ["wrong_pin", 2001, "PIN entered was wrong"],
    ["insufficient_funds", 1, "balance is too low"],
  ] as const)("%s → failed with a plain-language message", async (action, code, text) => {
    const { checkout, requestId } = await started();
    await callback(await buyer(requestId, action));
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, include: { mpesa: true } });
    expect(after.status).toBe("failed");
    expect(after.failureMessage).toContain(text);
    expect(after.mpesa!.resultCode).toBe(code);
  });

  it("malformed JSON and a wrong shape are 400 and stored rejected", async () => {
    for (const body of ["{not json", JSON.stringify({ Body: { nope: 1 } })]) {
      const err = await callback(body).catch((e) => e);
      expect(isAppError(err) && err.status).toBe(400);
      expect(await db.webhookInbox.count({ where: { provider: "mpesa", status: "rejected", body } })).toBe(1);
    }
  });

  it("an oversized body is 413 before anything is read into memory", async () => {
    const body = JSON.stringify({ pad: "x".repeat(20_000) });
    const res = await callbackRoute(
      new Request(`http://x/api/webhooks/mpesa/${TOKEN}`, { method: "POST", headers: { "content-type": "application/json" }, body }),
      {
        params: Promise.resolve({ token: TOKEN }),
      },
    );
    expect(res.status).toBe(413);
  });

  it("with MPESA_ALLOWED_IPS, a caller outside the list gets 403 and a rejected row; a forged first X-Forwarded-For hop does not help", async () => {
    const { checkout, requestId } = await started();
    const body = await buyer(requestId, "approve");
    process.env.MPESA_ALLOWED_IPS = "196.201.214.200,196.201.213.0/24";
    process.env.TRUSTED_PROXY_HOPS = "1";
    resetEnvForTests();
    resetMpesaSettingsForTests();
    try {
      // The caller typed an allowed address first; our one proxy appended the real one.
      const err = await callback(body, TOKEN, { "x-forwarded-for": "196.201.214.200, 203.0.113.9" }).catch((e) => e);
      expect(isAppError(err) && err.status).toBe(403);
      expect((await checkoutOf(checkout.id)).status).toBe("pending");
      const ok = await callback(body, TOKEN, { "x-forwarded-for": "10.0.0.1, 196.201.213.44" });
      expect(ok.status).toBe("processed");
      expect((await checkoutOf(checkout.id)).status).toBe("credited");
    } finally {
      delete process.env.MPESA_ALLOWED_IPS;
      delete process.env.TRUSTED_PROXY_HOPS;
      resetEnvForTests();
      resetMpesaSettingsForTests();
    }
  });
});

describe("no callback: the STK query", () => {
  it("waits MPESA_QUERY_AFTER_SECONDS, then asks; 'still processing' changes nothing; a result is applied", async () => {
    const { checkout, requestId } = await started();
    const t0 = checkout.createdAt.getTime();
    const queriesBefore = fake.stats.query;
    expect(await observeMpesaCheckout(checkout.id, { now: new Date(t0 + 30_000) })).toMatchObject({ status: "pending", changed: false });
    expect(fake.stats.query).toBe(queriesBefore);
    expect(await observeMpesaCheckout(checkout.id, { now: new Date(t0 + 61_000) })).toMatchObject({ status: "pending", changed: false });
    expect(fake.stats.query).toBe(queriesBefore + 1);
    // The buyer approved but the callback was lost (the fake could not deliver it).
    await fake.act(requestId, "approve");
    expect(await observeMpesaCheckout(checkout.id, { now: new Date(t0 + 65_000) })).toMatchObject({ changed: false }); // throttled
    expect(await observeMpesaCheckout(checkout.id, { now: new Date(t0 + 80_000) })).toMatchObject({ status: "paid", changed: true });
    const events = await db.checkoutEvent.findMany({ where: { checkoutId: checkout.id, toStatus: "paid" } });
    expect(events[0]!.message).toContain("STK query");
  });

  it("a prompt still 'being processed' after the checkout expired fails as expired", async () => {
    const { checkout } = await started();
    expect(await observeMpesaCheckout(checkout.id, { now: new Date(checkout.expiresAt.getTime() - 1_000) })).toMatchObject({
      status: "pending",
      changed: false,
    });
    const r = await observeMpesaCheckout(checkout.id, { now: new Date(checkout.expiresAt.getTime() + 20_000) });
    expect(r).toMatchObject({ status: "failed", changed: true });
    expect((await checkoutOf(checkout.id)).failureMessage).toContain("prompt expired");
  });

  it("a query result of 1037 fails the checkout with its message", async () => {
    const { checkout, requestId } = await started();
    await fake.act(requestId, "unreachable");
    const r = await observeMpesaCheckout(checkout.id, { now: new Date(checkout.createdAt.getTime() + 61_000) });
    expect(r).toMatchObject({ status: "failed", changed: true });
    expect((await checkoutOf(checkout.id)).failureMessage).toContain("could not reach your phone");
  });
});

describe("the reconciler", () => {
  it("queries an M-Pesa checkout whose callback never came, and credits it", async () => {
    const { user, checkout, requestId } = await started();
    await fake.act(requestId, "approve"); // the callback went nowhere
    const past = new Date(Date.now() - 120_000);
    await db.checkout.update({ where: { id: checkout.id }, data: { createdAt: past, lastObservedAt: null } });
    await db.mpesaPayment.update({ where: { checkoutId: checkout.id }, data: { createdAt: past } });
    const counts = await reconcile();
    expect(counts.skipped).toBe(false);
    expect((await checkoutOf(checkout.id)).status).toBe("credited");
    expect(await balance(user.id)).toBe(500);
  });
});
