import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { creditCheckout, creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { replayWebhook } from "@/lib/inbox/inbox";
import { createUser } from "@/test/factories";
import { observeNeobankCheckout, startNeobankCheckout, webhookRoute } from "@/test/rails";

const POST = webhookRoute("neobank");

import { NeobankClient, NeobankError } from "./api";
import { neobankClient } from "./client";
import { resetNeobankSettingsForTests, sandboxCredentials } from "./config";
import { neobankSandbox, resetNeobankSandboxForTests } from "./sandbox";
import type { NeobankSandbox } from "./sandbox/server";
import { signWebhook } from "./signing";
import { NEOBANK_PROVIDER } from "./webhook";

// The NEO Bank rail end to end against real PostgreSQL: our client → the in-process sandbox
// gateway (which verifies our API key and RSA signatures) → its signed webhooks over HTTP →
// the real route handler → the webhook inbox → the checkout's compare-and-set transitions →
// creditCheckout. Nothing here is mocked except the gateway itself.

let app: Server;
let sandbox: NeobankSandbox;

/** A tiny HTTP server that hands every request to the route handler, as Next.js would. */
async function startApp(): Promise<string> {
  app = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const r = await POST(new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }));
    res.writeHead(r.status, { "content-type": "application/json" });
    res.end(await r.text());
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  resetNeobankSettingsForTests();
}

beforeAll(async () => {
  const url = await startApp();
  setEnv({
    APP_URL: url,
    SANDBOX_RAILS: "1",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
    NEOBANK_API_URL: undefined,
    NEOBANK_API_KEY: undefined,
    NEOBANK_PRIVATE_KEY: undefined,
    NEOBANK_WEBHOOK_SECRET: undefined,
    NEOBANK_CREDIT_ON: undefined,
    INNGEST_DEV: undefined,
    INNGEST_SIGNING_KEY: undefined,
    VERCEL: undefined,
  });
  await resetNeobankSandboxForTests();
  sandbox = await neobankSandbox();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});
afterAll(async () => {
  await resetNeobankSandboxForTests();
  await new Promise((r) => app?.close(r));
});
beforeEach(() => setEnv({ NEOBANK_CREDIT_ON: undefined }));

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;
const checkoutRow = (id: string) => db.checkout.findUniqueOrThrow({ where: { id }, include: { neobank: true, events: { orderBy: { createdAt: "asc" } } } });

async function started() {
  const user = await createUser();
  const { checkoutId, redirectTo } = await startNeobankCheckout(user.id, "medium");
  const c = await checkoutRow(checkoutId);
  return { user, checkoutId, redirectTo, txId: c.neobank!.gatewayTxId };
}

/** Posts a body with a given X-Signature straight to the route handler. */
function post(body: string, signature?: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { "content-type": "application/json", ...extra };
  if (signature !== undefined) headers["x-signature"] = signature;
  return POST(new Request("http://127.0.0.1/api/webhooks/neobank", { method: "POST", headers, body }));
}

describe("starting a NEO Bank checkout", () => {
  it("creates the buyer's CPRN once, a payment for the price in cents, and sends the buyer to the gateway page", async () => {
    const { user, checkoutId, redirectTo, txId } = await started();
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ rail: "neobank", status: "pending", expectedAmount: 2000n, amountUnit: "USD cents", externalRef: txId });
    expect(c.neobank).toMatchObject({ gatewayTxId: txId, paymentUrl: redirectTo, lastStatus: "CREATED" });
    expect(redirectTo).toBe(`${sandbox.url}/pay/${txId}`);
    const p = sandbox.payments.get(txId)!;
    expect(p.request).toMatchObject({ amount: 2000, currency: "USD", reference: checkoutId, return_url: `${process.env.APP_URL}/checkout/${checkoutId}` });
    const profile = await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } });
    expect(p.request.cprn).toBe(profile.cprn);

    // A second checkout reuses the stored CPRN.
    const before = sandbox.registrations.size;
    const second = await startNeobankCheckout(user.id, "medium");
    expect(sandbox.registrations.size).toBe(before);
    expect(sandbox.payments.get((await checkoutRow(second.checkoutId)).neobank!.gatewayTxId)!.request.cprn).toBe(profile.cprn);
    // Every request we sent verified against our public key.
    expect(sandbox.refused.count).toBe(0);
  });

  it("keeps an optional web3 wallet on the profile and refuses a malformed one", async () => {
    const user = await createUser();
    const wallet = "0x52908400098527886E0F7030069857D2E4169EE7";
    await startNeobankCheckout(user.id, "medium", wallet);
    expect((await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } })).web3Address).toBe(wallet);
    await expect(startNeobankCheckout(user.id, "medium", "0x123")).rejects.toMatchObject({ code: "validation_failed" });
  });

  it("registers again when the gateway no longer knows the stored CPRN", async () => {
    const user = await createUser();
    await startNeobankCheckout(user.id, "medium");
    const old = (await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } })).cprn;
    sandbox.registrations.delete(old);
    const { checkoutId } = await startNeobankCheckout(user.id, "medium");
    const now = (await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } })).cprn;
    expect(now).not.toBe(old);
    expect((await checkoutRow(checkoutId)).status).toBe("pending");
  });

  it("a gateway that refuses our signature fails the checkout with a message, and says why", async () => {
    const user = await createUser();
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const client = new NeobankClient({ baseUrl: sandbox.url, apiKey: sandboxCredentials().apiKey, privateKey: stranger, retries: 0 });
    const err = await client.getPayment("TXN-NOPE").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeobankError);
    expect(err).toMatchObject({ kind: "unauthorized", status: 401, code: "invalid_signature" });
    expect(sandbox.refused.last).toBe("invalid_signature");
    // Our own client is fine.
    await expect((await neobankClient()).createRegistration({ external_id: user.id, email: user.email }, `t:${user.id}`)).resolves.toMatchObject({
      status: "success",
    });
  });
});

describe("webhooks through the inbox", () => {
  it("Pay → PENDING, SUCCESS, SETTLED → paid → creditCheckout credits exactly once", async () => {
    const { user, checkoutId, txId } = await started();
    await sandbox.complete(txId, "pay");
    expect(sandbox.payments.get(txId)!.deliveries.map((d) => [d.status, d.httpStatus])).toEqual([
      ["PENDING", 200],
      ["SUCCESS", 200],
      ["SETTLED", 200],
    ]);
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "paid", exception: null, receivedAmount: 2000n });
    expect(c.neobank!.lastStatus).toBe("SETTLED");
    expect(c.events.map((e) => [e.toStatus, e.cause])).toEqual([
      ["pending", "buyer"],
      ["confirming", "webhook"],
      ["paid", "webhook"],
    ]);

    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "credited", credits: 500 });
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "already_credited" });
    expect(await balance(user.id)).toBe(500);

    const rows = await db.webhookInbox.findMany({ where: { provider: NEOBANK_PROVIDER, checkoutId }, orderBy: { receivedAt: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["processed", "processed", "processed"]);
    expect(rows.every((r) => r.verified)).toBe(true);
    // Raw payload kept for audit, signature header redacted.
    expect(JSON.parse(rows[1]!.body)).toMatchObject({ tx_id: txId, status: "SUCCESS", amount: "20.00", currency: "USD", reference: checkoutId });
    expect((rows[1]!.headers as Record<string, string>)["x-signature"]).toBe("[redacted]");
  });

  it("1,000 duplicate SUCCESS webhooks → one transition, one credit", async () => {
    const { user, checkoutId, txId } = await started();
    const { body, signature } = sandbox.signedWebhook(txId, "SUCCESS", { eventId: "evt_duplicate_storm" });
    const results: { http: number; duplicate: boolean }[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(body, signature)));
      for (const r of responses) results.push({ http: r.status, duplicate: ((await r.json()) as { duplicate: boolean }).duplicate });
    }
    expect(results).toHaveLength(1000);
    expect(results.every((r) => r.http === 200)).toBe(true);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await db.webhookInbox.count({ where: { provider: NEOBANK_PROVIDER, checkoutId } })).toBe(1);

    const credits = await Promise.all(Array.from({ length: 10 }, () => creditCheckout(checkoutId)));
    expect(credits.filter((c) => c.outcome === "credited")).toHaveLength(1);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkoutId) } })).toBe(1);
    expect(await balance(user.id)).toBe(500);
    const c = await checkoutRow(checkoutId);
    expect(c.events.filter((e) => e.toStatus === "paid")).toHaveLength(1);

    // The same status without an event id dedups on tx id + status; a replay changes nothing.
    const plain = JSON.stringify({ tx_id: txId, status: "SUCCESS", amount: "20.00", currency: "USD" });
    const first = await post(plain, signWebhook(plain, sandboxCredentials().webhookSecret));
    const again = await post(plain, signWebhook(plain, sandboxCredentials().webhookSecret));
    expect(await first.json()).toMatchObject({ duplicate: false, status: "processed" });
    expect(await again.json()).toMatchObject({ duplicate: true });
    const row = await db.webhookInbox.findFirstOrThrow({ where: { provider: NEOBANK_PROVIDER, dedupKey: `tx:${txId}:SUCCESS` } });
    await replayWebhook(row.id);
    expect(await balance(user.id)).toBe(500);
    expect((await checkoutRow(checkoutId)).status).toBe("credited");
  }, 180_000);

  it("Decline → FAILED → failed with the gateway's reason; nothing credits", async () => {
    const { user, checkoutId, txId } = await started();
    await sandbox.complete(txId, "decline");
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "failed" });
    expect(c.failureMessage).toContain("NEO Bank did not complete this payment");
    expect(c.failureMessage).toContain("Declined by the account holder");
    expect(c.neobank!.lastStatus).toBe("FAILED");
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "not_creditable", status: "failed" });
    expect(await balance(user.id)).toBe(0);
  });

  it("NEOBANK_CREDIT_ON=settled: SUCCESS alone does not pay, SETTLED does", async () => {
    setEnv({ NEOBANK_CREDIT_ON: "settled" });
    const { user, checkoutId, txId } = await started();
    await sandbox.sendWebhook(txId, "SUCCESS");
    expect((await checkoutRow(checkoutId)).status).toBe("confirming");
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "not_creditable" });
    await sandbox.sendWebhook(txId, "SETTLED");
    expect((await checkoutRow(checkoutId)).status).toBe("paid");
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "credited" });
    expect(await balance(user.id)).toBe(500);
  });

  it("out of order: SETTLED first pays; the late PENDING and SUCCESS change nothing; a late FAILED flags an admin", async () => {
    const { checkoutId, txId } = await started();
    await sandbox.sendWebhook(txId, "SETTLED");
    await sandbox.sendWebhook(txId, "PENDING");
    await sandbox.sendWebhook(txId, "SUCCESS");
    let c = await checkoutRow(checkoutId);
    expect(c.status).toBe("paid");
    expect(c.neobank!.lastStatus).toBe("SETTLED");
    expect(c.events.map((e) => e.toStatus)).toEqual(["pending", "paid"]);
    await sandbox.sendWebhook(txId, "FAILED", { reason: "Chargeback" });
    c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "paid", needsAttention: true });
    expect(c.attentionReason).toContain("FAILED");
  });

  it("forged, stale, tampered, malformed and oversized calls get 4xx and move nothing", async () => {
    const { user, checkoutId, txId } = await started();
    const secret = sandboxCredentials().webhookSecret;
    const { body, signature } = sandbox.signedWebhook(txId, "SUCCESS");
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Response, number][] = [
      ["no signature", await post(body), 401],
      ["wrong secret", await post(body, signWebhook(body, "whsec_forger_000000000000")), 401],
      // 30 s past the 300 s window each way: the cases before it take a moment, and a timestamp
      // just 1 s ahead drifted back into the window on a loaded machine (a flaky full run).
      ["stale", await post(body, signWebhook(body, secret, now - 330)), 401],
      ["future", await post(body, signWebhook(body, secret, Math.floor(Date.now() / 1000) + 330)), 401],
      ["tampered", await post(body.replace('"20.00"', '"2000.00"'), signature), 401],
      ["malformed header", await post(body, "sha256=abc"), 401],
      ["not JSON", await post("{nope", signWebhook("{nope", secret)), 400],
      ["no tx_id", await post('{"status":"SUCCESS"}', signWebhook('{"status":"SUCCESS"}', secret)), 400],
      ["oversized", await post(`${body}${" ".repeat(17 * 1024)}`, signWebhook(`${body}${" ".repeat(17 * 1024)}`, secret)), 413],
    ];
    for (const [name, res, code] of cases) expect(res.status, name).toBe(code);
    const c = await checkoutRow(checkoutId);
    expect(c.status).toBe("pending");
    expect(c.events).toHaveLength(1);
    expect(await balance(user.id)).toBe(0);
    // Rejected calls are kept for audit and can never be replayed into processing.
    const rejected = await db.webhookInbox.findMany({ where: { provider: NEOBANK_PROVIDER, verified: false, body: { contains: txId } } });
    expect(rejected.length).toBeGreaterThanOrEqual(6);
    expect(rejected.every((r) => r.status === "rejected")).toBe(true);
    await expect(replayWebhook(rejected[0]!.id)).rejects.toMatchObject({ code: "conflict" });

    // A signed status we do not act on is stored and answered 200, and changes nothing.
    const odd = JSON.stringify({ event_id: "evt_odd", tx_id: txId, status: "REFUND_REQUESTED" });
    const r = await post(odd, signWebhook(odd, secret));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ignored" });
    expect((await checkoutRow(checkoutId)).status).toBe("pending");
  });
});

describe("reports that do not fit the checkout (signed, so only the gateway or its key could send them)", () => {
  const signed = (fields: Record<string, unknown>) => {
    const body = JSON.stringify(fields);
    return post(body, signWebhook(body, sandboxCredentials().webhookSecret));
  };

  it.each([
    ["5.001", "more decimals than USD has"],
    ["-5.00", "a sign"],
    ["+20.00", "a plus sign"],
    ["2e1", "an exponent"],
    [" 20.00", "whitespace"],
    ["20.000", "a third decimal"],
  ])("SUCCESS with amount %j (%s) credits nothing and is flagged", async (amount) => {
    const { user, checkoutId, txId } = await started();
    const r = await signed({ event_id: `evt_amount_${checkoutId}`, tx_id: txId, status: "SUCCESS", amount, currency: "USD", reference: checkoutId });
    expect(r.status).toBe(200);
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "pending", receivedAmount: 0n, needsAttention: true });
    expect(c.attentionReason).toContain("not a valid USD amount");
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "not_creditable" });
    expect(await balance(user.id)).toBe(0);
  });

  it("an amount_minor that disagrees with the amount string is flagged, not applied", async () => {
    const { checkoutId, txId } = await started();
    await signed({
      event_id: `evt_two_${checkoutId}`,
      tx_id: txId,
      status: "SUCCESS",
      amount: "20.00",
      amount_minor: 200000,
      currency: "USD",
      reference: checkoutId,
    });
    expect(await checkoutRow(checkoutId)).toMatchObject({ status: "pending", needsAttention: true });
  });

  it("a reference that is not this checkout's id is flagged, not applied", async () => {
    const { checkoutId, txId } = await started();
    const other = await started();
    await signed({ event_id: `evt_ref_${checkoutId}`, tx_id: txId, status: "SUCCESS", amount: "20.00", currency: "USD", reference: other.checkoutId });
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "pending", needsAttention: true });
    expect(c.attentionReason).toContain("is not this checkout");
    expect((await checkoutRow(other.checkoutId)).status).toBe("pending");
  });

  it("FAILED then SUCCESS for one payment: the contradicting final answer is flagged, and nothing credits", async () => {
    const { user, checkoutId, txId } = await started();
    await sandbox.sendWebhook(txId, "FAILED", { reason: "Declined" });
    expect((await checkoutRow(checkoutId)).status).toBe("failed");
    await sandbox.sendWebhook(txId, "SUCCESS");
    const c = await checkoutRow(checkoutId);
    expect(c).toMatchObject({ status: "failed", needsAttention: true });
    expect(c.attentionReason).toContain("SUCCESS after the gateway already reported FAILED");
    expect(await creditCheckout(checkoutId)).toMatchObject({ outcome: "not_creditable" });
    expect(await balance(user.id)).toBe(0);
  });

  it("a well-formed SUCCESS with the right reference still pays (the strict checks refuse only what does not fit)", async () => {
    const { checkoutId, txId } = await started();
    await signed({ event_id: `evt_ok_${checkoutId}`, tx_id: txId, status: "SUCCESS", amount: "20.00", currency: "USD", reference: checkoutId });
    expect(await checkoutRow(checkoutId)).toMatchObject({ status: "paid", receivedAmount: 2000n, needsAttention: false });
  });
});

describe("a buyer's first checkouts at once", () => {
  it("40 concurrent first NEO Bank checkouts of one buyer all start, with one profile and one registration", async () => {
    const user = await createUser();
    const before = sandbox.registrations.size;
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => startNeobankCheckout(user.id, "medium")));
    expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(await db.neobankProfile.count({ where: { userId: user.id } })).toBe(1);
    expect(sandbox.registrations.size - before).toBe(1);
    const cprn = (await db.neobankProfile.findUniqueOrThrow({ where: { userId: user.id } })).cprn;
    const rows = await db.neobankPayment.findMany({ where: { checkout: { userId: user.id } }, select: { gatewayTxId: true } });
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => sandbox.payments.get(r.gatewayTxId)!.request.cprn === cprn)).toBe(true);
  }, 120_000);
});

describe("observe", () => {
  it("asks the gateway when a webhook was lost, and applies the answer once", async () => {
    const { user, checkoutId, txId } = await started();
    expect(await observeNeobankCheckout(checkoutId)).toEqual({ status: "pending", exception: null, changed: false });
    sandbox.payments.get(txId)!.status = "SUCCESS"; // the gateway moved on; its webhook never came
    expect(await observeNeobankCheckout(checkoutId)).toEqual({ status: "paid", exception: null, changed: true });
    expect(await observeNeobankCheckout(checkoutId)).toMatchObject({ status: "paid", changed: false });
    const c = await checkoutRow(checkoutId);
    expect(c.events.at(-1)).toMatchObject({ toStatus: "paid", cause: "system" });
    await creditCheckout(checkoutId);
    expect(await balance(user.id)).toBe(500);
  });

  it("a declined payment observed later is failed with the reason", async () => {
    const { checkoutId, txId } = await started();
    Object.assign(sandbox.payments.get(txId)!, { status: "FAILED", failureReason: "Insufficient funds" });
    expect(await observeNeobankCheckout(checkoutId)).toMatchObject({ status: "failed", changed: true });
    expect((await checkoutRow(checkoutId)).failureMessage).toContain("Insufficient funds");
  });
});
