import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as sessions from "@/app/api/v1/checkout-sessions/route";
import * as endpoints from "@/app/api/v1/webhook-endpoints/route";
import { adjustBalance, refundCheckout } from "@/lib/admin/actions";
import { flagAttention } from "@/lib/checkouts/attention";
import { createCheckout } from "@/lib/checkouts/create";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { RAILS } from "@/lib/rails/registry";
import { call, createKey } from "@/test/api";
import { payAndConfirm, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { memoryProvider } from "@/test/rails/memory/client";
import { installMemoryRail } from "@/test/rails/memory/install";
import { memoryRail } from "@/test/rails/memory/rail";
import { installHostEvents } from "./checkout-events";
import { deliverDueWebhooks } from "./webhooks";

// The hosted-session round trip as the host's webhook receiver sees it: a session with the
// host's own amount (USD on one rail, BTC on the Bitcoin rail) and a reference is paid, and
// the checkout.credited webhook — verified with the standardwebhooks package — carries the
// reference and metadata back. The events an admin causes (refund, adjustment, a checkout
// flagged for a person) reach the host the same way.

const PORT = 3572;
let server: Server;
let chain: Chain;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let secret: string;
let apiKey: string;

beforeAll(async () => {
  chain = await regtest({ ALLOW_LOCAL_URLS: "1", APP_URL: "http://localhost:3555" });
  await installMemoryRail();
  registerLocalHandlers();
  installHostEvents();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(PORT, "127.0.0.1", r));
  apiKey = (await createKey(["read", "checkouts:write", "webhooks:write"])).secret;
  const e = await call<{ secret: string; id: string }>(endpoints.POST, "/api/v1/webhook-endpoints", {
    key: apiKey,
    body: {
      url: `http://127.0.0.1:${PORT}/satchel`,
      enabled_events: ["checkout.credited", "checkout.needs_attention", "credits.refunded", "credits.adjusted"],
    },
  });
  expect(e.status).toBe(201);
  secret = e.body.secret;
});

afterAll(async () => {
  await db.webhookEndpoint.updateMany({ where: { url: `http://127.0.0.1:${PORT}/satchel` }, data: { deletedAt: new Date() } });
  await new Promise((r) => server.close(r));
  RAILS.splice(RAILS.indexOf(memoryRail), 1);
  await (await simulator())?.close();
  for (const k of ["ALLOW_LOCAL_URLS", "APP_URL", "BTC_NETWORK", "RATE_SOURCE", "BTC_FIXED_RATE"]) delete process.env[k];
  resetEnvForTests();
});

type Payload = { id: string; type: string; data: { object: Record<string, unknown> } };

/** Runs the delivery sweep and returns what the receiver got since, each verified by standardwebhooks. */
async function deliveredSince(from: number): Promise<Payload[]> {
  await deliverDueWebhooks();
  return received.slice(from).map((r) => {
    const payload = new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Payload;
    expect(r.headers["webhook-id"]).toBe(payload.id);
    return payload;
  });
}

async function session(body: Record<string, unknown>) {
  const r = await call<{ id: string }>(sessions.POST, "/api/v1/checkout-sessions", { key: apiKey, body: { success_url: "https://host.example/ok", ...body } });
  expect(r.status).toBe(201);
  const s = await db.checkoutSession.findUniqueOrThrow({ where: { id: r.body.id }, include: { customer: true } });
  return { id: s.id, userId: s.customer.userId };
}

describe("webhooks from hosted sessions", () => {
  test("a host-set USD amount: checkout.credited arrives signed, with the reference and metadata; an admin refund and an adjustment follow as credits.refunded and credits.adjusted", async () => {
    const from = received.length;
    const externalId = `sw-usd-${Date.now()}`;
    const s = await session({
      customer: { external_id: externalId },
      amount: 50_000,
      currency: "USD",
      credits: 120,
      description: "500.00 token purchase",
      rails: ["memory"],
      reference: "order-usd-1",
      metadata: { order: "1", plan: "pro" },
    });
    const { checkoutId } = await createCheckout({ rail: "memory", userId: s.userId, sessionId: s.id });
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    memoryProvider.act(c.externalRef!, { kind: "pay" });
    await advanceCheckout(checkoutId);
    const got = await deliveredSince(from);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      type: "checkout.credited",
      data: {
        object: {
          id: checkoutId,
          session: s.id,
          customer: externalId,
          reference: "order-usd-1",
          metadata: { order: "1", plan: "pro" },
          amount: 50_000,
          currency: "USD",
          credits: 120,
          status: "credited",
        },
      },
    });

    const admin = await createUser({ role: "admin" });
    const ctx = () => ({ actorId: admin.id, requestId: crypto.randomUUID(), reason: "customer asked" });
    expect(await refundCheckout(ctx(), checkoutId)).toMatchObject({ applied: true });
    expect(await adjustBalance(ctx(), s.userId, 7)).toMatchObject({ applied: true });
    // Deliveries run in parallel: no order between two events (Standard Webhooks promises none).
    const more = await deliveredSince(from + 1);
    expect(more.map((p) => p.type).sort()).toEqual(["credits.adjusted", "credits.refunded"]);
    const byType = (t: string) => more.find((p) => p.type === t)!;
    expect(byType("credits.refunded").data.object).toMatchObject({
      customer: externalId,
      amount: -120,
      checkout: checkoutId,
      checkout_reference: "order-usd-1",
      checkout_metadata: { order: "1", plan: "pro" },
    });
    expect(byType("credits.adjusted").data.object).toMatchObject({ customer: externalId, amount: 7, balance_after: 7 });
  });

  test("a host-set BTC amount paid on the chain: checkout.credited carries the reference and metadata", async () => {
    const from = received.length;
    const s = await session({
      customer: { external_id: `sw-btc-${Date.now()}` },
      amount: 125_000,
      currency: "BTC",
      credits: 10,
      description: "Investment",
      reference: "inv-btc-9",
      metadata: { investment: "9" },
    });
    const { checkoutId } = await createCheckout({ rail: "btc", userId: s.userId, sessionId: s.id });
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(c).toMatchObject({ expectedAmount: 125_000n, amountUnit: "sat" });
    payAndConfirm(chain, c);
    await advanceCheckout(checkoutId);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe("credited");
    const got = await deliveredSince(from);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      type: "checkout.credited",
      data: {
        object: {
          id: checkoutId,
          reference: "inv-btc-9",
          metadata: { investment: "9" },
          currency: "BTC",
          amount: 125_000,
          amount_received: "125000",
          unit: "sat",
        },
      },
    });
  });

  test("a checkout flagged for a person reaches the host as checkout.needs_attention, with the reason", async () => {
    const from = received.length;
    const s = await session({
      customer: { external_id: `sw-att-${Date.now()}` },
      amount: 900,
      currency: "USD",
      credits: 1,
      description: "Job",
      rails: ["memory"],
      reference: "job-3",
    });
    const { checkoutId } = await createCheckout({ rail: "memory", userId: s.userId, sessionId: s.id });
    await flagAttention(checkoutId, "the provider's answer disagrees with the prompt");
    const got = await deliveredSince(from);
    expect(got.map((p) => p.type)).toEqual(["checkout.needs_attention"]);
    expect(got[0]!.data.object).toMatchObject({
      id: checkoutId,
      reference: "job-3",
      needs_attention: true,
      attention_reason: "the provider's answer disagrees with the prompt",
    });
  });
});
