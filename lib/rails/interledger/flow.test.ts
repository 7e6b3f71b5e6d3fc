import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { creditCheckout } from "@/lib/checkouts/credit";
import { checkoutView } from "@/lib/checkouts/view";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { createUser } from "@/test/factories";
import { finishInterledger, handleInterledgerWebhook, observeInterledger, startInterledgerCheckout, webhookRoute } from "@/test/rails";
import { resetIlpClientForTests } from "./client";
import { resetInterledgerSettingsForTests } from "./config";
import { BUYER_MESSAGES } from "./payment";
import { ilpSandbox, resetIlpSandboxForTests } from "./sandbox";
import type { OpenPaymentsSandbox } from "./sandbox/server";
import { INTERLEDGER_PROVIDER } from "./webhook";
import { signRafikiWebhook } from "./webhook-signature";

// The whole Interledger flow in-process against the Open Payments sandbox (which checks the
// HTTP signatures of every request we make): start → the buyer approves or rejects on the
// sandbox's page → finish → the incoming payment completes → paid → credited exactly once.

const SECRET = "rafiki-test-secret-0123456789abcdef";
let sandbox: OpenPaymentsSandbox;

beforeAll(async () => {
  Object.assign(process.env, {
    SANDBOX_RAILS: "1",
    OPEN_PAYMENTS_SANDBOX_PORT: "0",
    OPEN_PAYMENTS_WEBHOOK_SECRET: SECRET,
    // Nothing listens here: the sandbox's own webhooks are lost, as a real one's may be.
    APP_URL: "http://127.0.0.1:9",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
  });
  for (const k of [
    "OPEN_PAYMENTS_WALLET_ADDRESS",
    "OPEN_PAYMENTS_KEY_ID",
    "OPEN_PAYMENTS_PRIVATE_KEY",
    "INNGEST_DEV",
    "INNGEST_SIGNING_KEY",
    "SMTP_URL",
    "OMNISEND_API_KEY",
  ])
    delete process.env[k];
  resetEnvForTests();
  resetInterledgerSettingsForTests();
  resetIlpClientForTests();
  await resetIlpSandboxForTests();
  sandbox = await ilpSandbox();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});

afterAll(async () => {
  await resetIlpSandboxForTests();
  resetIlpClientForTests();
  resetInterledgerSettingsForTests();
});

let userId: string;
beforeEach(async () => {
  userId = (await createUser()).id;
});

async function start(wallet = "alice") {
  const r = await startInterledgerCheckout({ userId, packageId: "medium", fields: { walletAddress: sandbox.walletAddress(wallet) } });
  expect(r.redirectTo).toMatch(new RegExp(`^${sandbox.url}/interact/`));
  return { checkoutId: r.checkoutId, interactUrl: r.redirectTo! };
}

/** The buyer on the sandbox's approval page: returns where the wallet sends the browser. */
async function decide(interactUrl: string, button: "approve" | "reject"): Promise<URL> {
  const page = await fetch(interactUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Sandbox — not real money");
  expect(html).toContain("20.00 USD");
  const res = await fetch(`${interactUrl}/${button}`, { method: "POST", redirect: "manual" });
  expect(res.status).toBe(303);
  return new URL(res.headers.get("location")!);
}

const ledger = (checkoutId: string) => db.ledgerEntry.count({ where: { reference: checkoutId } });

describe("Interledger through the Open Payments sandbox", () => {
  it("start → approve → finish → incoming payment completed → paid → credited once", async () => {
    const before = sandbox.state.rejectedSignatures;
    const { checkoutId, interactUrl } = await start();
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { interledger: true } });
    expect(c).toMatchObject({ rail: "interledger", status: "pending", expectedAmount: 2000n, amountUnit: "USD:2" });
    expect(c.interledger).toMatchObject({ buyerWalletAddress: sandbox.walletAddress("alice"), assetCode: "USD", assetScale: 2, debitAmount: 2000n });
    expect(c.externalRef).toBe(c.interledger!.incomingPaymentUrl);
    const incoming = sandbox.state.incoming.get(c.interledger!.incomingPaymentUrl)!;
    expect(incoming.metadata).toMatchObject({ checkoutId });
    expect(incoming.incomingAmount).toEqual({ value: "2000", assetCode: "USD", assetScale: 2 });

    const back = await decide(interactUrl, "approve");
    expect(`${back.origin}${back.pathname}`).toBe("http://127.0.0.1:9/api/payments/interledger/finish");
    expect(back.searchParams.get("checkout")).toBe(checkoutId);
    expect(back.searchParams.get("hash")).toBeTruthy();

    expect(await finishInterledger(checkoutId, back.searchParams)).toBe("paid");
    const paid = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { interledger: true } });
    expect(paid).toMatchObject({ status: "paid", receivedAmount: 2000n, exception: null });
    expect(paid.interledger).toMatchObject({ result: "approved" });
    expect(paid.interledger!.outgoingPaymentUrl).toMatch(/\/outgoing-payments\//);
    expect(sandbox.state.wallets.get("alice")!.balance).toBe(100_000n - 2000n);

    // The browser comes back twice (a reload): nothing happens the second time.
    expect(await finishInterledger(checkoutId, back.searchParams)).toBe("ignored");

    const [a, b] = await Promise.all([creditCheckout(checkoutId), creditCheckout(checkoutId)]);
    expect([a.outcome, b.outcome].sort()).toEqual(["already_credited", "credited"]);
    expect(await ledger(checkoutId)).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).balance).toBe(500);
    // Every request we made carried a valid HTTP signature.
    expect(sandbox.state.rejectedSignatures).toBe(before);

    const timeline = (await db.checkoutEvent.findMany({ where: { checkoutId }, orderBy: { createdAt: "asc" } })).map((e) => e.toStatus);
    expect(timeline).toEqual(["pending", "confirming", "paid", "credited"]);
  });

  it("reject → failed with a message; nothing is charged", async () => {
    const { checkoutId, interactUrl } = await start("bob");
    const back = await decide(interactUrl, "reject");
    expect(back.searchParams.get("result")).toBe("grant_rejected");
    expect(await finishInterledger(checkoutId, back.searchParams)).toBe("failed");
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(c).toMatchObject({ status: "failed", failureMessage: BUYER_MESSAGES.rejected });
    expect(sandbox.state.wallets.get("bob")!.balance).toBe(100_000n);
    // The view the buyer's page gets never carries the grant's continuation token.
    const row = await db.ilpPayment.findUniqueOrThrow({ where: { checkoutId } });
    const view = await checkoutView(checkoutId, { id: userId, role: "buyer" });
    expect(JSON.stringify(view)).not.toContain(row.continueToken);
    expect(view?.details).toMatchObject({ walletAddress: sandbox.walletAddress("bob"), retryHref: "/buy/medium", sandbox: true });
  });

  it("a finish link with a bad hash (a cross-site link) changes nothing; the wallet's own redirect still pays", async () => {
    const { checkoutId, interactUrl } = await start("carol");
    const before = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    const events = await db.checkoutEvent.count({ where: { checkoutId } });
    const back = await decide(interactUrl, "approve");
    const params = new URLSearchParams(back.searchParams);
    params.set("hash", Buffer.alloc(32, 1).toString("base64"));
    expect(await finishInterledger(checkoutId, params)).toBe("unverified");
    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { interledger: true } });
    expect(after).toMatchObject({ status: before.status, version: before.version, failureMessage: null });
    expect(after.interledger).toMatchObject({ finishedAt: null, result: null, outgoingPaymentUrl: null });
    expect(await db.checkoutEvent.count({ where: { checkoutId } })).toBe(events);
    expect([...sandbox.state.outgoing.values()].some((o) => o.wallet === sandbox.walletAddress("carol"))).toBe(false);
    // The genuine redirect afterwards finishes the checkout as usual.
    expect(await finishInterledger(checkoutId, back.searchParams)).toBe("paid");
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe("paid");
  });

  it("refuses wallet addresses that are not wallets, saying why", async () => {
    const err = (walletAddress: string) => startInterledgerCheckout({ userId, packageId: "medium", fields: { walletAddress } }).catch((e: Error) => e.message);
    expect(await err("http://127.0.0.1/alice")).toMatch(/https:\/\//);
    expect(await err("https://ilp.interledger-test.dev/alice")).toMatch(/sandbox wallet such as https:\/\/127\.0\.0\.1:\d+\/alice/);
    expect(await err(`${sandbox.origin}/quotes`)).toMatch(/did not answer as an Open Payments wallet address/);
    expect(await err(sandbox.merchantWalletAddress)).toMatch(/shop's own wallet/);
  });

  it("the sandbox refuses unsigned requests and requests signed with another key", async () => {
    const before = sandbox.state.rejectedSignatures;
    const res = await fetch(`${sandbox.url}/auth`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client: sandbox.merchantWalletAddress, access_token: { access: [{ type: "incoming-payment", actions: ["create"] }] } }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_client");
    expect(sandbox.state.rejectedSignatures).toBe(before + 1);
  });

  it("1,000 duplicate webhooks (and a few new ones) → one credit", async () => {
    registerLocalHandlers();
    const { checkoutId } = await start("dave");
    const p = await db.ilpPayment.findUniqueOrThrow({ where: { checkoutId } });
    // Someone pays the incoming payment in full (as another wallet could); Rafiki tells us.
    const inc = sandbox.state.incoming.get(p.incomingPaymentUrl)!;
    inc.received = 2000n;
    inc.completed = true;
    const event = {
      id: "evt-dup-1",
      type: "incoming_payment.completed",
      data: { id: p.incomingPaymentUrl.split("/").pop(), completed: true, receivedAmount: { value: "2000", assetCode: "USD", assetScale: 2 } },
    };
    const body = JSON.stringify(event);
    const send = (e = event, b = body) =>
      handleInterledgerWebhook(new Headers({ "content-type": "application/json", "rafiki-signature": signRafikiWebhook(e, SECRET) }), b);
    const results = [];
    for (let i = 0; i < 10; i++) results.push(...(await Promise.all(Array.from({ length: 100 }, () => send()))));
    const other = { ...event, id: "evt-dup-2" };
    results.push(await send(other, JSON.stringify(other)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(2);
    // A duplicate that lands while its twin is still being processed is acknowledged as
    // received (the twin finishes the work); none fails, and every stored row ends processed.
    expect(results.every((r) => r.status === "processed" || (r.duplicate && r.status === "received"))).toBe(true);
    expect(await db.webhookInbox.count({ where: { provider: INTERLEDGER_PROVIDER, checkoutId, status: { not: "processed" } } })).toBe(0);
    expect(await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).toMatchObject({ status: "credited", receivedAmount: 2000n });
    expect(await ledger(checkoutId)).toBe(1);
    expect(await db.webhookInbox.count({ where: { provider: INTERLEDGER_PROVIDER, checkoutId } })).toBe(2);
    // The stored headers do not keep the signature.
    const row = await db.webhookInbox.findFirstOrThrow({ where: { provider: INTERLEDGER_PROVIDER, checkoutId } });
    expect((row.headers as Record<string, string>)["rafiki-signature"]).toBe("[redacted]");
    // 1,000 calls through the whole inbox: minutes, not seconds, on a loaded shared machine.
  }, 120_000);

  it("forged, stale, tampered, malformed and oversized webhooks get 4xx and move nothing", async () => {
    const { checkoutId } = await start("erin");
    const p = await db.ilpPayment.findUniqueOrThrow({ where: { checkoutId } });
    const inc = sandbox.state.incoming.get(p.incomingPaymentUrl)!;
    inc.received = 2000n;
    inc.completed = true;
    const event = { id: "evt-forged", type: "incoming_payment.completed", data: { id: p.incomingPaymentUrl } };
    const body = JSON.stringify(event);
    const POST = webhookRoute("interledger");
    const post = (headers: Record<string, string>, b: string) =>
      POST(new Request("http://localhost/api/webhooks/interledger", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: b }));
    const t = Math.floor(Date.now() / 1000);
    const raw = (payload: string, key = SECRET) => createHmac("sha256", key).update(payload).digest("hex");
    const cases: [string, Response][] = [
      ["unsigned", await post({}, body)],
      ["wrong secret", await post({ "rafiki-signature": signRafikiWebhook(event, "not-the-secret-at-all-000") }, body)],
      ["stale", await post({ "rafiki-signature": signRafikiWebhook(event, SECRET, new Date(Date.now() - 600_000)) }, body)],
      ["tampered", await post({ "rafiki-signature": signRafikiWebhook(event, SECRET) }, body.replace("evt-forged", "evt-other"))],
      ["malformed", await post({ "rafiki-signature": `t=${t}, v1=${raw(`${t}.{not json`)}` }, "{not json")],
      ["oversized", await post({ "rafiki-signature": signRafikiWebhook(event, SECRET) }, JSON.stringify({ ...event, pad: "x".repeat(40_000) }))],
    ];
    for (const [name, res] of cases) expect([name, res.status >= 400 && res.status < 500]).toEqual([name, true]);
    expect(cases.map(([, r]) => r.status)).toEqual([401, 401, 401, 401, 400, 413]);
    expect(await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).toMatchObject({ status: "pending" });
    expect(await ledger(checkoutId)).toBe(0);
    // …while the genuine one is accepted and moves it.
    const ok = await post({ "rafiki-signature": signRafikiWebhook(event, SECRET) }, body);
    expect(ok.status).toBe(200);
    expect(["paid", "credited"]).toContain((await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).status);
  });

  it("observing an unpaid checkout changes nothing; a partial payment is confirming", async () => {
    const { checkoutId } = await start("frank");
    expect(await observeInterledger(checkoutId)).toMatchObject({ status: "pending", changed: false });
    const p = await db.ilpPayment.findUniqueOrThrow({ where: { checkoutId } });
    sandbox.state.incoming.get(p.incomingPaymentUrl)!.received = 500n;
    expect(await observeInterledger(checkoutId)).toMatchObject({ status: "confirming", changed: true });
  });
});
