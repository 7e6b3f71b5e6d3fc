import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signUpAccount } from "@/lib/account/verify-email";
import { db } from "@/lib/db/client";
import { parseEnv, resetEnvForTests } from "@/lib/env";
import { notifyCredited } from "@/lib/lifecycle/notify";
import { parsePropertyMapping } from "@/lib/omnisend-mapping";
import { uniqueEmail } from "@/test/factories";
import { checkoutRow } from "@/test/rows";
import { eventUuid, resendOmnisendEvents } from "./events";

// Omnisend events as the shop's existing automations expect them: a configured name and
// property mapping for "credits purchased", and a welcome event at sign-up — each sent once,
// through the outbox, and retried when Omnisend fails. The stand-in below follows Omnisend's
// published Events API (POST /v5/events, X-API-KEY, JSON body { eventName, eventID, eventTime,
// origin, contact: { email }, properties }) and refuses anything else the way it does (4xx).

const KEY = "omni-parity-key-456";
interface Call {
  headers: IncomingMessage["headers"];
  body: Record<string, unknown> & { eventName: string; contact: { email: string }; properties: Record<string, unknown> };
}
const calls: Call[] = [];
let failNext = 0;
let server: Server;

function omnisendStandIn(): Server {
  return createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.method !== "POST" || req.url !== "/v5/events") return answer(404, { error: "not found" });
      if (req.headers["x-api-key"] !== KEY) return answer(403, { error: "Forbidden" });
      if (!String(req.headers["content-type"]).startsWith("application/json")) return answer(415, { error: "Unsupported Media Type" });
      let body: Call["body"];
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, { error: "invalid JSON" });
      }
      const ok =
        typeof body.eventName === "string" &&
        body.eventName.length > 0 &&
        typeof body.origin === "string" &&
        typeof body.contact?.email === "string" &&
        (body.properties === undefined || (typeof body.properties === "object" && body.properties !== null));
      if (!ok) return answer(400, { error: "eventName, origin and contact are required" });
      if (failNext > 0) {
        failNext--;
        return answer(503, { error: "Service Unavailable" });
      }
      calls.push({ headers: req.headers, body });
      answer(202, {});
    });
  });
}

const SETTINGS = {
  OMNISEND_API_KEY: KEY,
  OMNISEND_PURCHASE_EVENT: "Security Token Trade Success",
  OMNISEND_PURCHASE_PROPERTIES:
    "trade_amount=amount, token_symbol='CREDITS', token_amount=credits, currency=currency, package_name=packageName, rail=rail, checkout_id=checkoutId",
  OMNISEND_WELCOME_EVENT: "Signed Up",
};

beforeAll(async () => {
  server = omnisendStandIn();
  await new Promise<void>((r) => server.listen(3720, "127.0.0.1", r));
  Object.assign(process.env, SETTINGS, { OMNISEND_API_URL: "http://127.0.0.1:3720" });
  resetEnvForTests();
});
afterEach(() => {
  failNext = 0;
});
afterAll(async () => {
  for (const k of [...Object.keys(SETTINGS), "OMNISEND_API_URL"]) delete process.env[k];
  resetEnvForTests();
  await new Promise((r) => server.close(r));
});

const eventsFor = (email: string, name: string) => calls.filter((c) => c.body.contact.email === email && c.body.eventName === name);

describe("credits purchased", () => {
  it("sends the configured event name with exactly the mapped properties, once", async () => {
    const creditedAt = new Date();
    const c = await checkoutRow({ status: "credited", credits: 750, priceMinor: 2599, currency: "USD", receivedAmount: 25_990n, creditedAt });
    const user = await db.user.findUniqueOrThrow({ where: { id: c.userId } });
    await notifyCredited(c.id);
    await db.checkout.update({ where: { id: c.id }, data: { notifiedAt: null } });
    await Promise.all([notifyCredited(c.id), notifyCredited(c.id)]);

    const mine = eventsFor(user.email, "Security Token Trade Success");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.headers["x-api-key"]).toBe(KEY);
    expect(mine[0]!.body).toEqual({
      eventName: "Security Token Trade Success",
      eventID: eventUuid(`satchel:${c.id}:credits-purchased`),
      eventTime: creditedAt.toISOString(),
      origin: "api",
      contact: { email: user.email },
      properties: {
        trade_amount: "25.99",
        token_symbol: "CREDITS",
        token_amount: 750,
        currency: "USD",
        package_name: "Medium",
        rail: "btc",
        checkout_id: c.id,
      },
    });
  });

  it("an Omnisend outage fails the step (it is retried) and the retry sends the same event once", async () => {
    const c = await checkoutRow({ status: "credited", creditedAt: new Date() });
    const user = await db.user.findUniqueOrThrow({ where: { id: c.userId } });
    failNext = 1;
    await expect(notifyCredited(c.id)).rejects.toThrow(/Omnisend event for checkout .* failed: Omnisend answered HTTP 503/);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: c.id } })).notifiedAt).toBeNull();
    expect(await notifyCredited(c.id)).toMatchObject({ outcome: "notified", omnisend: "sent" });
    expect(eventsFor(user.email, "Security Token Trade Success")).toHaveLength(1);
    const row = await db.outboundCall.findUniqueOrThrow({ where: { provider_dedupKey: { provider: "omnisend", dedupKey: `credits-purchased:${c.id}` } } });
    expect(row).toMatchObject({ attempts: 2, error: null });
    expect(row.sentAt).not.toBeNull();
  });
});

describe("welcome", () => {
  it("fires once per sign-up: not again for a second sign-up with the same address", async () => {
    const email = uniqueEmail("welcome");
    expect(await signUpAccount({ email, password: "correct horse battery", name: "Wanjiru" }, "sw")).toEqual({ ok: true });
    expect(await signUpAccount({ email, password: "another password 99" }, "en")).toEqual({ ok: true });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    const mine = eventsFor(email, "Signed Up");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toEqual({
      eventName: "Signed Up",
      eventID: eventUuid(`satchel:${user.id}:welcome`),
      eventTime: expect.any(String),
      origin: "api",
      contact: { email, firstName: "Wanjiru" },
      properties: { userID: user.id, locale: "sw", signedUpAt: mine[0]!.body.eventTime },
    });
  });

  it("a sign-up during an Omnisend outage still succeeds; the reconciler's resend delivers the welcome once", async () => {
    const email = uniqueEmail("welcome-retry");
    failNext = 1;
    expect(await signUpAccount({ email, password: "correct horse battery" }, "en")).toEqual({ ok: true });
    expect(eventsFor(email, "Signed Up")).toHaveLength(0);
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    const key = { provider_dedupKey: { provider: "omnisend", dedupKey: `welcome:${user.id}` } };
    expect((await db.outboundCall.findUniqueOrThrow({ where: key })).error).toMatch(/HTTP 503/);
    const later = new Date(Date.now() + 60_000);
    await Promise.all([resendOmnisendEvents(later), resendOmnisendEvents(later)]);
    await resendOmnisendEvents(later);
    expect(eventsFor(email, "Signed Up")).toHaveLength(1);
    expect((await db.outboundCall.findUniqueOrThrow({ where: key })).sentAt).not.toBeNull();
  });

  it("no welcome event unless OMNISEND_WELCOME_EVENT names one", async () => {
    delete process.env.OMNISEND_WELCOME_EVENT;
    resetEnvForTests();
    try {
      const email = uniqueEmail("no-welcome");
      await signUpAccount({ email, password: "correct horse battery" }, "en");
      expect(calls.filter((c) => c.body.contact.email === email)).toHaveLength(0);
    } finally {
      process.env.OMNISEND_WELCOME_EVENT = SETTINGS.OMNISEND_WELCOME_EVENT;
      resetEnvForTests();
    }
  });
});

describe("OMNISEND_PURCHASE_PROPERTIES", () => {
  it("reads name=field lists and JSON alike", () => {
    expect(parsePropertyMapping("trade_amount=amount, token_symbol='SAT'")).toEqual([
      ["trade_amount", { field: "amount" }],
      ["token_symbol", { literal: "SAT" }],
    ]);
    expect(parsePropertyMapping('{"trade_amount": "amount", "token_symbol": "\'SAT\'"}')).toEqual(
      parsePropertyMapping("trade_amount=amount,token_symbol='SAT'"),
    );
  });

  it.each([
    ["trade_amount=price", /unknown field "price"/],
    ["trade_amount", /not name=field/],
    ["a=amount,a=credits", /appears twice/],
    ["{not json", /not valid JSON/],
    ['{"a": 1}', /must name a field/],
  ])("%s stops the start with a message naming the variable", (value, message) => {
    expect(() => parseEnv({ OMNISEND_PURCHASE_PROPERTIES: value })).toThrow(/OMNISEND_PURCHASE_PROPERTIES: /);
    expect(() => parsePropertyMapping(value)).toThrow(message);
  });
});
