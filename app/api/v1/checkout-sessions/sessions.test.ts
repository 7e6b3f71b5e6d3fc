import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createCheckout } from "@/lib/checkouts/create";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { installHostEvents } from "@/lib/host/checkout-events";
import { hostedViewer, sessionCookie } from "@/lib/host/sessions";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { resetBitcoinSettingsForTests } from "@/lib/rails/bitcoin/config";
import { RAILS } from "@/lib/rails/registry";
import { call, createKey } from "@/test/api";
import { memoryProvider } from "@/test/rails/memory/client";
import { installMemoryRail } from "@/test/rails/memory/install";
import { memoryRail } from "@/test/rails/memory/rail";
import * as pay from "../../../pay/[token]/route";
import * as checkoutApi from "../../checkouts/[id]/route";
import * as events from "../events/route";
import * as one from "./[id]/route";
import * as sessions from "./route";

// Hosted checkout sessions through /api/v1 and the buyer's side: host-set amounts (fiat and
// BTC) with a reference and metadata, every attempt listed by reference, checkout.credited
// carrying both back, and a session token that opens only its own checkouts.

const ZPUB = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
let secret: string;
let n = 0;
const ext = () => `host-user-${Date.now().toString(36)}-${++n}`;

let cursorsBefore: { walletKey: string; nextIndex: number }[] = [];

beforeAll(async () => {
  cursorsBefore = await db.addressCursor.findMany({ select: { walletKey: true, nextIndex: true } });
  await installMemoryRail();
  for (const k of ["INNGEST_DEV", "INNGEST_SIGNING_KEY", "SMTP_URL", "OMNISEND_API_KEY"]) delete process.env[k];
  Object.assign(process.env, {
    CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
    BTC_NETWORK: "mainnet",
    BTC_XPUB: ZPUB,
    ESPLORA_API_URL: "http://127.0.0.1:9",
    APP_URL: "http://localhost:3555",
  });
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  registerLocalHandlers();
  installHostEvents();
  secret = (await createKey()).secret;
  await db.creditPackage.upsert({
    where: { slug: "small" },
    update: {},
    create: { slug: "small", name: "Small", credits: 100, priceMinor: 500, currency: "USD" },
  });
});
afterAll(async () => {
  RAILS.splice(RAILS.indexOf(memoryRail), 1);
  // Test files of one worker share its database: hand back the BIP84 test account's addresses
  // this file took (lib/rails/bitcoin/create.test.ts expects them from index 0), and only those:
  // other files' checkouts keep theirs, so every other wallet's cursor stays where it is.
  await db.checkout.deleteMany({ where: { rail: "btc", sessionId: { not: null } } });
  await db.addressCursor.deleteMany({ where: { walletKey: { notIn: cursorsBefore.map((c) => c.walletKey) } } });
  for (const c of cursorsBefore) await db.addressCursor.update({ where: { walletKey: c.walletKey }, data: { nextIndex: c.nextIndex } });
  for (const k of ["BTC_NETWORK", "BTC_XPUB", "ESPLORA_API_URL", "APP_URL"]) delete process.env[k];
  resetEnvForTests();
  resetBitcoinSettingsForTests();
});

type Session = {
  id: string;
  url: string | null;
  status: string;
  amount: number;
  currency: string;
  credits: number;
  rails: string[];
  reference: string | null;
  metadata: Record<string, string>;
  checkouts: { id: string; status: string; amount_due: string; unit: string }[];
};

const create = (body: Record<string, unknown>) => call<Session>(sessions.POST, "/api/v1/checkout-sessions", { key: secret, body });
const get = (id: string) => call<Session>(one.GET, `/api/v1/checkout-sessions/${id}`, { key: secret }, { id });
const userOf = async (externalId: string) => (await db.customer.findUniqueOrThrow({ where: { externalId } })).userId;
const tokenOf = (url: string) => url.split("/pay/")[1]!;

async function payMemory(checkoutId: string) {
  const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
  memoryProvider.act(c.externalRef!, { kind: "pay" });
  await advanceCheckout(checkoutId);
}

describe("checkout sessions", () => {
  test("a host-set USD amount with a reference is paid on the second attempt; the reference lists both; checkout.credited carries reference and metadata", async () => {
    const customer = ext();
    const reference = `order-${customer}`;
    const r = await create({
      customer: { external_id: customer, email: "buyer@example.com" },
      amount: 2500,
      currency: "usd",
      credits: 40,
      description: "Token purchase",
      rails: ["memory"],
      reference,
      metadata: { order: "77", plan: "pro" },
      success_url: "https://host.example/thanks",
      cancel_url: "https://host.example/cart",
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ object: "checkout_session", status: "open", amount: 2500, currency: "USD", credits: 40, rails: ["memory"], reference });
    expect(r.body.url).toMatch(/^http:\/\/localhost:3555\/pay\/[A-Za-z0-9_-]{32}$/);
    const userId = await userOf(customer);

    // First attempt fails at the provider; the buyer tries again and pays.
    const a = await createCheckout({ rail: "memory", userId, sessionId: r.body.id });
    const ca = await db.checkout.findUniqueOrThrow({ where: { id: a.checkoutId } });
    expect(ca).toMatchObject({
      packageId: null,
      priceMinor: 2500,
      currency: "USD",
      credits: 40,
      reference,
      metadata: { order: "77", plan: "pro" },
      sessionId: r.body.id,
    });
    memoryProvider.act(ca.externalRef!, { kind: "fail", reason: "card declined" });
    await advanceCheckout(a.checkoutId);
    const b = await createCheckout({ rail: "memory", userId, sessionId: r.body.id });
    await payMemory(b.checkoutId);

    const got = await get(r.body.id);
    expect(got.body.status).toBe("complete");
    expect(got.body.url).toBeNull();
    expect(got.body.checkouts.map((c) => c.status)).toEqual(["failed", "credited"]);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).balance).toBe(40);

    const listed = await call<{ data: Session[] }>(sessions.GET, `/api/v1/checkout-sessions?reference=${reference}`, { key: secret });
    expect(listed.body.data.map((s) => s.id)).toEqual([r.body.id]);
    expect(listed.body.data[0]?.checkouts.map((c) => c.id)).toEqual([a.checkoutId, b.checkoutId]);

    type Ev = { type: string; data: { object: { id: string; reference: string; metadata: Record<string, string>; status: string } } };
    const ev = await call<{ data: Ev[] }>(events.GET, `/api/v1/events?customer=${customer}`, { key: secret });
    const credited = ev.body.data.filter((e) => e.type === "checkout.credited");
    expect(credited).toHaveLength(1);
    expect(credited[0]?.data.object).toMatchObject({ id: b.checkoutId, reference, metadata: { order: "77", plan: "pro" }, status: "credited" });
    expect(ev.body.data.filter((e) => e.type === "checkout.created")).toHaveLength(2);
    expect(ev.body.data.filter((e) => e.type === "checkout.failed").map((e) => e.data.object.id)).toEqual([a.checkoutId]);

    // A paid session takes no further attempts.
    await expect(createCheckout({ rail: "memory", userId, sessionId: r.body.id })).rejects.toMatchObject({ code: "conflict" });
  });

  test("a host-set BTC amount is due in exactly those satoshis, on the Bitcoin rail only", async () => {
    const customer = ext();
    const r = await create({
      customer: { external_id: customer },
      amount: 125_000,
      currency: "BTC",
      credits: 10,
      description: "Investment",
      reference: "inv-9",
      success_url: "https://host.example/ok",
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ currency: "BTC", amount: 125_000, rails: ["btc"] });
    const { checkoutId } = await createCheckout({ rail: "btc", userId: await userOf(customer), sessionId: r.body.id });
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } });
    expect(c).toMatchObject({ expectedAmount: 125_000n, amountUnit: "sat", currency: "BTC", reference: "inv-9", rateSource: "host" });
    expect(c.address).toMatch(/^bc1q/);
    await expect(createCheckout({ rail: "memory", userId: await userOf(customer), sessionId: r.body.id })).rejects.toMatchObject({ code: "validation_failed" });
    const mixed = await create({
      customer: { external_id: ext() },
      amount: 1000,
      currency: "BTC",
      credits: 1,
      description: "x",
      rails: ["memory"],
      success_url: "https://h.example/",
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error?.param).toBe("rails");
  });

  test("a plain payment (0 credits) completes without a ledger movement; a package session takes the package's terms", async () => {
    const customer = ext();
    const r = await create({
      customer: { external_id: customer },
      amount: 900,
      currency: "USD",
      credits: 0,
      description: "Job budget",
      rails: ["memory"],
      success_url: "https://h.example/",
    });
    expect(r.status).toBe(201);
    const userId = await userOf(customer);
    const { checkoutId } = await createCheckout({ rail: "memory", userId, sessionId: r.body.id });
    await payMemory(checkoutId);
    expect((await get(r.body.id)).body.status).toBe("complete");
    expect(await db.ledgerEntry.count({ where: { userId } })).toBe(0);

    const p = await create({ customer: { external_id: ext() }, package: "small", success_url: "https://h.example/" });
    expect(p.body).toMatchObject({ amount: 500, currency: "USD", credits: 100, rails: [] });
  });

  test("bad bodies are 400 naming the parameter", async () => {
    const base = { customer: { external_id: ext() }, success_url: "https://h.example/" };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, package: "small", amount: 100 }, "package"],
      [{ ...base, amount: 100, credits: 1, description: "x" }, "currency"],
      [{ ...base, amount: 100, currency: "USD", description: "x" }, "credits"],
      [{ ...base, amount: 100, currency: "USD", credits: 1 }, "description"],
      [{ ...base, amount: -5, currency: "USD", credits: 1, description: "x" }, "amount"],
      [{ ...base, amount: 100, currency: "USD", credits: 1, description: "x", rails: ["carrier-pigeon"] }, "rails.0"],
      [{ ...base, amount: 100, currency: "USD", credits: 1, description: "x", success_url: "javascript:alert(1)" }, "success_url"],
      [{ success_url: "https://h.example/", amount: 1 }, "customer"],
      [{ ...base, customer: {} }, "customer.external_id"],
    ];
    for (const [body, param] of cases) {
      const r = await create(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error?.param, JSON.stringify(body)).toBe(param);
    }
    const unknown = await create({ ...base, package: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.param).toBe("package");
    expect((await get("cs_000000000000000000000000")).status).toBe(404);
  });

  test("the session link sets a cookie that opens only that session's checkouts; without it, 404", async () => {
    const s1 = await create({
      customer: { external_id: ext() },
      amount: 100,
      currency: "USD",
      credits: 1,
      description: "A",
      rails: ["memory"],
      success_url: "https://h.example/",
    });
    const s2 = await create({
      customer: { external_id: ext() },
      amount: 100,
      currency: "USD",
      credits: 1,
      description: "B",
      rails: ["memory"],
      success_url: "https://h.example/",
    });
    const token = tokenOf(s1.body.url!);
    const res = await pay.GET(new Request(`http://localhost:3555/pay/${token}`), { params: Promise.resolve({ token }) });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://localhost:3555/hosted/${s1.body.id}`);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toContain(`${sessionCookie(s1.body.id)}=${token}`);
    expect(setCookie.toLowerCase()).toContain("httponly");
    const bad = await pay.GET(new Request("http://localhost:3555/pay/x"), { params: Promise.resolve({ token: "A".repeat(32) }) });
    expect(bad.status).toBe(404);

    const userOfSession = async (id: string) => (await db.checkoutSession.findUniqueOrThrow({ where: { id }, include: { customer: true } })).customer.userId;
    const c1 = await createCheckout({ rail: "memory", userId: await userOfSession(s1.body.id), sessionId: s1.body.id });
    const c2 = await createCheckout({ rail: "memory", userId: await userOfSession(s2.body.id), sessionId: s2.body.id });
    const jar = (name: string) => (name === sessionCookie(s1.body.id) ? token : undefined);
    expect(await hostedViewer(c1.checkoutId, jar)).not.toBeNull();
    expect(await hostedViewer(c2.checkoutId, jar)).toBeNull();
    // The other session's cookie name with this token proves nothing either.
    expect(await hostedViewer(c2.checkoutId, () => token)).toBeNull();

    const cookie = `${sessionCookie(s1.body.id)}=${token}`;
    const live = (id: string, headers: Record<string, string>) =>
      checkoutApi.GET(new Request(`http://localhost/api/checkouts/${id}`, { headers }), { params: Promise.resolve({ id }) });
    // The live-status route the checkout page polls takes the cookie in place of a sign-in.
    const ok = await live(c1.checkoutId, { cookie });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }).id).toBe(c1.checkoutId);
  });
});
