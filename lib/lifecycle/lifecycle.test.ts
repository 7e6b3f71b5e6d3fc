import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { creditCheckout, creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { eventUuid } from "@/lib/omnisend/events";
import { deliver, EVENTS, emitEvent, setEventSender } from "@/lib/outbox/outbox";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { advanceCheckout } from "./advance";
import { expireCheckout } from "./expire";
import { registerLocalHandlers } from "./local";
import { notifyCredited, receiptKey } from "./notify";
import { observeEveryMs, RECONCILE_LOCK_KEY, reconcile } from "./reconcile";

// The lifecycle against real PostgreSQL and the regtest simulator over HTTP: the same path
// the in-process driver, the page poll and the Inngest steps take.

let chain: Chain;

beforeAll(async () => {
  chain = await regtest();
  registerLocalHandlers();
});
afterAll(async () => {
  await (await simulator())?.close();
});
beforeEach(() => {
  chain.mine(1);
});

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;

describe("advanceCheckout", () => {
  it("observes, credits and records the receipt once the payment confirms", async () => {
    const { user, checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "confirming", did: ["observed"], errors: [] });
    chain.mine(3);
    const r = await advanceCheckout(checkout.id);
    expect(r).toMatchObject({ status: "credited", errors: [] });
    expect(r.did).toEqual(["observed", "paid", "credited", "notified"]);
    expect(await balance(user.id)).toBe(500);

    // A credited address is still looked at (money paid after crediting); nothing changes.
    const again = await advanceCheckout(checkout.id);
    expect(again).toMatchObject({ status: "credited", did: [], observed: true });

    const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: receiptKey(checkout.id) } });
    expect(mail).toMatchObject({ to: user.email, transport: "outbox", sentAt: null, checkoutId: checkout.id });
    expect(mail.text).toContain("500 credits");
    expect(mail.text).toContain("0.0002 BTC (20,000 sats)");
    expect(mail.text).toContain("$20.00");
    expect(mail.text).toContain(`http://localhost:3000/account/receipts/${checkout.id}`);
    const events = await db.eventOutbox.findMany({ where: { data: { path: ["checkoutId"], equals: checkout.id } }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.name)).toEqual([EVENTS.created, EVENTS.paid, EVENTS.credited]);
    expect(events.every((e) => e.sentAt !== null)).toBe(true);
  });

  it("the receipt is recorded once even when notify runs twice (or 10 times at once)", async () => {
    const { checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    await advanceCheckout(checkout.id, { now: new Date() });
    await db.checkout.update({ where: { id: checkout.id }, data: { notifiedAt: null } });
    const results = await Promise.all(Array.from({ length: 10 }, () => notifyCredited(checkout.id)));
    expect(results.filter((r) => r.outcome === "notified").length).toBeGreaterThanOrEqual(1);
    expect(await db.outboundEmail.count({ where: { dedupKey: receiptKey(checkout.id) } })).toBe(1);
    expect(await notifyCredited(checkout.id)).toMatchObject({ outcome: "already_notified" });
  });

  it("does not credit an underpaid checkout: it waits for an admin", async () => {
    const { user, checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount / 2n }]);
    chain.mine(3);
    await advanceCheckout(checkout.id);
    const later = new Date(checkout.expiresAt.getTime() + 1000);
    const r = await advanceCheckout(checkout.id, { now: later });
    expect(r).toMatchObject({ status: "expired", exception: "underpaid" });
    expect(await balance(user.id)).toBe(0);
    expect(await db.outboundEmail.count({ where: { checkoutId: checkout.id } })).toBe(0);
  });
});

describe("exactly once", () => {
  it("50 concurrent credit attempts (advance, reconcile, the credit step) plus duplicate events ⇒ one ledger entry", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    const attempts = Array.from({ length: 50 }, (_, i) => {
      switch (i % 5) {
        case 0:
          return advanceCheckout(checkout.id);
        case 1:
          return reconcile();
        case 2:
          return creditCheckout(checkout.id);
        case 3:
          return emitEvent(EVENTS.activity, { checkoutId: checkout.id, source: "test" });
        default:
          return advanceCheckout(checkout.id, { skipObserve: true });
      }
    });
    await Promise.allSettled(attempts);
    // whatever did not get there in the race, the next sweep finishes
    await advanceCheckout(checkout.id);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkout.id) } })).toBe(1);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(1);
    expect(await balance(user.id)).toBe(500);
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id, toStatus: "credited", fromStatus: "paid" } })).toBe(1);
    expect(await db.outboundEmail.count({ where: { checkoutId: checkout.id } })).toBe(1);
    // and a duplicate event afterwards changes nothing
    const version = (await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).version;
    await emitEvent(EVENTS.activity, { checkoutId: checkout.id, source: "test" });
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).version).toBe(version);
  });
});

describe("expireCheckout", () => {
  it("is not due before expiresAt, then one last look expires an unpaid checkout", async () => {
    const { checkout } = await newCheckout();
    expect(await expireCheckout(checkout.id)).toMatchObject({ outcome: "not_due" });
    const later = new Date(checkout.expiresAt.getTime() + 1000);
    expect(await expireCheckout(checkout.id, later)).toMatchObject({ outcome: "expired", status: "expired", exception: null });
    expect(await expireCheckout(checkout.id, later)).toMatchObject({ outcome: "not_open", status: "expired" });
    const last = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: checkout.id }, orderBy: { createdAt: "desc" } });
    expect(last).toMatchObject({ toStatus: "expired", cause: "expiry" });
  });

  it("a payment seen in time keeps it open for its confirmations", async () => {
    const { checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
    await advanceCheckout(checkout.id);
    const later = new Date(checkout.expiresAt.getTime() + 1000);
    expect(await expireCheckout(checkout.id, later)).toMatchObject({ outcome: "still_open", status: "confirming" });
  });
});

describe("reconcile", () => {
  it("observes stale open checkouts, expires overdue ones, credits and notifies, and says what it did", async () => {
    const paid = await newCheckout();
    const overdue = await newCheckout();
    payAndConfirm(chain, paid.checkout);
    // both are fresh (created just now): the first sweep right away finds nothing stale
    const now = new Date();
    await db.checkout.updateMany({ where: { id: { in: [paid.checkout.id, overdue.checkout.id] } }, data: { lastObservedAt: now } });
    await reconcile({ now });
    const untouched = await db.checkout.findMany({ where: { id: { in: [paid.checkout.id, overdue.checkout.id] } } });
    expect(untouched.map((c) => [c.status, c.lastObservedAt?.getTime()])).toEqual([
      ["pending", now.getTime()],
      ["pending", now.getTime()],
    ]);

    const later = new Date(overdue.checkout.expiresAt.getTime() + 1000);
    const r = await reconcile({ now: later });
    expect(r.skipped).toBe(false);
    expect(r.observed).toBeGreaterThanOrEqual(2);
    expect(r.credited).toBeGreaterThanOrEqual(1);
    expect(r.expired).toBeGreaterThanOrEqual(1);
    expect(r.chainCalls).toBeGreaterThan(0);
    expect(await balance(paid.user.id)).toBe(500);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: overdue.checkout.id } })).status).toBe("expired");
    expect(await db.outboundEmail.count({ where: { dedupKey: receiptKey(paid.checkout.id) } })).toBe(1);
  });

  it("finishes a paid-but-uncredited checkout and a credited-but-unnotified one without asking the chain", async () => {
    const a = await newCheckout();
    const b = await newCheckout();
    payAndConfirm(chain, a.checkout);
    payAndConfirm(chain, b.checkout);
    // a "crash" right after the observation: paid, not credited
    const { observeCheckout } = await import("@/lib/checkouts/observe");
    await observeCheckout(a.checkout.id);
    // b was credited but the crash came before the receipt
    await observeCheckout(b.checkout.id);
    await creditCheckout(b.checkout.id);
    const now = new Date(Date.now() + 1000);
    await db.checkout.updateMany({ where: { id: { in: [a.checkout.id, b.checkout.id] } }, data: { lastObservedAt: now } });
    const r = await reconcile({ now });
    expect(r.credited).toBeGreaterThanOrEqual(1);
    expect(r.notified).toBeGreaterThanOrEqual(2);
    expect(await balance(a.user.id)).toBe(500);
    expect(await db.outboundEmail.count({ where: { checkoutId: { in: [a.checkout.id, b.checkout.id] } } })).toBe(2);
  });

  it("re-sends an event a crash left unsent", async () => {
    const { checkout } = await newCheckout();
    const row = await db.eventOutbox.create({ data: { name: EVENTS.activity, data: { checkoutId: checkout.id }, createdAt: new Date(Date.now() - 60_000) } });
    const seen: string[] = [];
    setEventSender(async (events) => void seen.push(...events.map((e) => e.id)));
    try {
      const r = await reconcile();
      expect(r.eventsResent).toBeGreaterThanOrEqual(1);
    } finally {
      setEventSender(null);
    }
    expect(seen).toContain(row.id);
    expect((await db.eventOutbox.findUniqueOrThrow({ where: { id: row.id } })).sentAt).not.toBeNull();
  });

  it("a failed send stays unsent with its error", async () => {
    const { checkout } = await newCheckout();
    const row = await db.eventOutbox.create({ data: { name: EVENTS.activity, data: { checkoutId: checkout.id } } });
    setEventSender(async () => {
      throw new Error("inngest unreachable");
    });
    try {
      expect(await deliver({ id: row.id, name: EVENTS.activity, data: { checkoutId: checkout.id } })).toBe(false);
    } finally {
      setEventSender(null);
    }
    expect(await db.eventOutbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ sentAt: null, attempts: 1, lastError: "inngest unreachable" });
  });

  it("two sweeps at once: the second is skipped", async () => {
    const [a, b] = await Promise.all([reconcile(), reconcile()]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
  });

  it("a sweep holding the lock on another database connection (another instance) makes this one skip", async () => {
    // Two connections, as two instances would have: the in-process guard cannot see the other one.
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock($1::bigint)", [RECONCILE_LOCK_KEY]);
      expect((await reconcile()).skipped).toBe(true);
      await other.query("SELECT pg_advisory_unlock($1::bigint)", [RECONCILE_LOCK_KEY]);
      expect((await reconcile()).skipped).toBe(false);
    } finally {
      await other.end();
    }
  });

  it("looks at young checkouts often and old ones rarely", () => {
    expect(observeEveryMs(60_000)).toBe(5_000);
    expect(observeEveryMs(30 * 60_000)).toBe(30_000);
    expect(observeEveryMs(3 * 3_600_000)).toBe(120_000);
    expect(observeEveryMs(48 * 3_600_000)).toBe(600_000);
  });
});

describe("Omnisend", () => {
  let server: ReturnType<typeof createServer>;
  const calls: { method: string; url: string; headers: IncomingMessage["headers"]; body: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        calls.push({ method: req.method!, url: req.url!, headers: req.headers, body: JSON.parse(body) });
        res.writeHead(202, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    process.env.OMNISEND_API_KEY = "omni-test-key-123";
    process.env.OMNISEND_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resetEnvForTests();
  });
  afterAll(async () => {
    delete process.env.OMNISEND_API_KEY;
    delete process.env.OMNISEND_API_URL;
    resetEnvForTests();
    await new Promise((r) => server.close(r));
  });

  it("sends one documented 'credits purchased' event per checkout, even when notify runs twice", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    await advanceCheckout(checkout.id);
    await db.checkout.update({ where: { id: checkout.id }, data: { notifiedAt: null } });
    await notifyCredited(checkout.id);
    await Promise.all([notifyCredited(checkout.id), notifyCredited(checkout.id)]);
    const mine = calls.filter((c) => (c.body as { properties: { checkoutID: string } }).properties.checkoutID === checkout.id);
    expect(mine).toHaveLength(1);
    const call = mine[0]!;
    expect(call.method).toBe("POST");
    expect(call.url).toBe("/v5/events");
    expect(call.headers["x-api-key"]).toBe("omni-test-key-123");
    expect(call.headers["content-type"]).toBe("application/json");
    const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
    expect(call.body).toEqual({
      eventName: "credits purchased",
      eventID: eventUuid(`satchel:${checkout.id}:credits-purchased`),
      eventTime: row.creditedAt!.toISOString(),
      origin: "api",
      contact: { email: user.email },
      properties: {
        checkoutID: checkout.id,
        credits: 500,
        amount: "20.00",
        amountMinor: 2000,
        currency: "USD",
        paidAmount: "20000",
        paidUnit: "sat",
        rail: "btc",
        packageName: "Medium",
      },
    });
    expect((call.body as { eventID: string }).eventID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
