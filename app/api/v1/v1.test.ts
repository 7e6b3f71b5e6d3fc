import { describe, expect, test } from "vitest";
import { revokeApiKey } from "@/lib/admin/developers";
import { db } from "@/lib/db/client";
import { call, createKey } from "@/test/api";
import { createUser } from "@/test/factories";
import * as debits from "./customers/[external_id]/debits/route";
import * as grants from "./customers/[external_id]/grants/route";
import * as ledger from "./customers/[external_id]/ledger/route";
import * as customer from "./customers/[external_id]/route";
import * as customers from "./customers/route";
import * as events from "./events/route";
import * as packages from "./packages/route";

// /api/v1 against the real database: keys and scopes, customers, balances, the ledger, and
// debits/grants with Idempotency-Key — every handler called as Next.js calls it.

let n = 0;
const ext = () => `user-${Date.now().toString(36)}-${++n}`;
const key = () => `idem-${Date.now().toString(36)}-${++n}-${Math.random().toString(36).slice(2)}`;

async function newCustomer(secret: string, balance = 0) {
  const id = ext();
  const r = await call(customers.POST, "/api/v1/customers", { key: secret, body: { external_id: id, email: "a@example.com", name: "Ada" } });
  expect(r.status).toBe(200);
  if (balance > 0) {
    const g = await call(
      grants.POST,
      `/api/v1/customers/${id}/grants`,
      { key: secret, body: { amount: balance, reason: "welcome" }, idempotencyKey: key() },
      { external_id: id },
    );
    expect(g.status).toBe(201);
  }
  return id;
}

const debit = (secret: string, id: string, amount: unknown, idem?: string, extra: Record<string, unknown> = {}) =>
  call(debits.POST, `/api/v1/customers/${id}/debits`, { key: secret, body: { amount, ...extra }, idempotencyKey: idem }, { external_id: id });

async function ledgerSum(externalId: string) {
  const c = await db.customer.findUniqueOrThrow({ where: { externalId }, select: { userId: true, user: { select: { balance: true } } } });
  const sum = await db.ledgerEntry.aggregate({ where: { userId: c.userId }, _sum: { amount: true }, _count: true });
  return { balance: c.user.balance, sum: sum._sum.amount ?? 0, entries: sum._count };
}

describe("authentication and scopes", () => {
  test("no key is 401 api_key_missing; an unknown or malformed key is 401 api_key_invalid", async () => {
    const none = await call(packages.GET, "/api/v1/packages");
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: "authentication_error", code: "api_key_missing" });
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    const { secret } = await createKey();
    const wrong = await call(packages.GET, "/api/v1/packages", { key: `${secret.slice(0, -2)}xx` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe("api_key_invalid");
    const garbage = await call(packages.GET, "/api/v1/packages", { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(garbage.status).toBe(401);
  });

  test("a revoked key is 401 from the moment it is revoked; the revocation is audited", async () => {
    const k = await createKey(["read"]);
    expect((await call(packages.GET, "/api/v1/packages", { key: k.secret })).status).toBe(200);
    const admin = await createUser({ role: "admin" });
    const requestId = crypto.randomUUID();
    const out = await revokeApiKey({ actorId: admin.id, requestId, reason: "leaked in a log" }, k.id);
    expect(out.applied).toBe(true);
    const r = await call(packages.GET, "/api/v1/packages", { key: k.secret });
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe("api_key_invalid");
    const audit = await db.auditLog.findUniqueOrThrow({ where: { id: requestId } });
    expect(audit).toMatchObject({ action: "api_key.revoke", targetType: "api_key", targetId: k.id, actorId: admin.id, reason: "leaked in a log" });
  });

  test("a read key reads but cannot debit or grant (403 insufficient_scope), and changes nothing", async () => {
    const full = await createKey();
    const read = await createKey(["read"]);
    const id = await newCustomer(full.secret, 10);
    expect((await call(customer.GET, `/api/v1/customers/${id}`, { key: read.secret }, { external_id: id })).body).toMatchObject({ balance: 10 });
    const r = await debit(read.secret, id, 5, key());
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
    const g = await call(
      grants.POST,
      `/api/v1/customers/${id}/grants`,
      { key: read.secret, body: { amount: 1, reason: "x" }, idempotencyKey: key() },
      { external_id: id },
    );
    expect(g.status).toBe(403);
    expect((await ledgerSum(id)).balance).toBe(10);
  });

  test("past its per-minute limit a key gets 429 with Retry-After", async () => {
    const k = await createKey(["read"], 2);
    expect((await call(packages.GET, "/api/v1/packages", { key: k.secret })).status).toBe(200);
    expect((await call(packages.GET, "/api/v1/packages", { key: k.secret })).status).toBe(200);
    const r = await call(packages.GET, "/api/v1/packages", { key: k.secret });
    expect(r.status).toBe(429);
    expect(r.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    const after = Number(r.headers.get("retry-after"));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);
    // Other keys are not affected.
    const other = await createKey(["read"], 2);
    expect((await call(packages.GET, "/api/v1/packages", { key: other.secret })).status).toBe(200);
  });

  test("a used key records when it was last used", async () => {
    const k = await createKey(["read"]);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).lastUsedAt).toBeNull();
    await call(packages.GET, "/api/v1/packages", { key: k.secret });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: k.id } })).lastUsedAt).toBeInstanceOf(Date);
  });
});

describe("customers, packages and bad input", () => {
  test("packages list is a Stripe-style list with integer amounts", async () => {
    const k = await createKey(["read"]);
    await db.creditPackage.upsert({
      where: { slug: "small" },
      update: {},
      create: { slug: "small", name: "Small", credits: 100, priceMinor: 500, currency: "USD" },
    });
    const r = await call<{ object: string; data: { object: string; amount: number; credits: number }[]; has_more: boolean }>(packages.GET, "/api/v1/packages", {
      key: k.secret,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ object: "list", has_more: false });
    expect(r.body.data.find((p) => p.object === "package" && p.amount === 500 && p.credits === 100)).toBeTruthy();
  });

  test("a customer is created by external_id on a password-less account, read back with its balance, updated in place", async () => {
    const k = await createKey();
    const id = ext();
    const first = await call(customers.POST, "/api/v1/customers", { key: k.secret, body: { external_id: id, email: "ada@example.com" } });
    expect(first.body).toMatchObject({ object: "customer", external_id: id, email: "ada@example.com", name: null, balance: 0 });
    await call(customers.POST, "/api/v1/customers", { key: k.secret, body: { external_id: id, name: "Ada" } });
    const got = await call(customer.GET, `/api/v1/customers/${id}`, { key: k.secret }, { external_id: id });
    expect(got.body).toMatchObject({ external_id: id, email: "ada@example.com", name: "Ada", balance: 0 });
    expect(typeof got.body.created_at).toBe("string");
    const row = await db.customer.findUniqueOrThrow({ where: { externalId: id }, select: { user: { select: { passwordHash: true, email: true } } } });
    expect(row.user.passwordHash).toBeNull();
    // The host's address never becomes a Satchel sign-in.
    expect(row.user.email).toMatch(/\.invalid$/);
    expect(await db.customer.count({ where: { externalId: id } })).toBe(1);
  });

  test("an unknown customer is 404 resource_missing", async () => {
    const k = await createKey();
    const r = await call(customer.GET, "/api/v1/customers/nobody", { key: k.secret }, { external_id: "nobody" });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ type: "invalid_request_error", code: "resource_missing" });
    const d = await debit(k.secret, "nobody", 1, key());
    expect(d.status).toBe(404);
  });

  test("bad bodies are 400 with the parameter named, never 500, and change nothing", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 5);
    const cases: [unknown, string, string][] = [
      [{}, "amount", "parameter_missing"],
      [{ amount: "ten" }, "amount", "parameter_invalid"],
      [{ amount: 0 }, "amount", "parameter_invalid"],
      [{ amount: 1.5 }, "amount", "parameter_invalid"],
      [{ amount: 1, metadata: { k: 5 } }, "metadata.k", "parameter_invalid"],
    ];
    for (const [body, param, code] of cases) {
      const r = await call(debits.POST, `/api/v1/customers/${id}/debits`, { key: k.secret, body, idempotencyKey: key() }, { external_id: id });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatchObject({ type: "invalid_request_error", code, param });
    }
    const email = await call(customers.POST, "/api/v1/customers", { key: k.secret, body: { external_id: ext(), email: "not-an-email" } });
    expect(email.status).toBe(400);
    expect(email.body.error?.param).toBe("email");
    const missing = await call(customers.POST, "/api/v1/customers", { key: k.secret, body: { email: "a@example.com" } });
    expect(missing.body.error).toMatchObject({ code: "parameter_missing", param: "external_id" });
    const json = await call(debits.POST, `/api/v1/customers/${id}/debits`, { key: k.secret, rawBody: "{ nope", idempotencyKey: key() }, { external_id: id });
    expect(json.status).toBe(400);
    expect(json.body.error?.code).toBe("invalid_json");
    const type = await call(
      debits.POST,
      `/api/v1/customers/${id}/debits`,
      { key: k.secret, rawBody: "amount=1", headers: { "content-type": "text/plain" }, idempotencyKey: key() },
      { external_id: id },
    );
    expect(type.status).toBe(415);
    const noKey = await debit(k.secret, id, 1);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toMatchObject({ code: "idempotency_key_missing", param: "Idempotency-Key" });
    const noGrantKey = await call(grants.POST, `/api/v1/customers/${id}/grants`, { key: k.secret, body: { amount: 1, reason: "x" } }, { external_id: id });
    expect(noGrantKey.body.error?.param).toBe("Idempotency-Key");
    const noReason = await call(
      grants.POST,
      `/api/v1/customers/${id}/grants`,
      { key: k.secret, body: { amount: 1 }, idempotencyKey: key() },
      { external_id: id },
    );
    expect(noReason.body.error?.param).toBe("reason");
    const badLimit = await call(ledger.GET, `/api/v1/customers/${id}/ledger?limit=1000`, { key: k.secret }, { external_id: id });
    expect(badLimit.body.error?.param).toBe("limit");
    expect(await ledgerSum(id)).toEqual({ balance: 5, sum: 5, entries: 1 });
  });
});

describe("debits and grants", () => {
  test("a debit spends credits, returns the entry and announces credits.debited; 402 when short, never below zero", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 40);
    const r = await debit(k.secret, id, 30, key(), { description: "GPU minutes", metadata: { job: "j-7" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      object: "ledger_entry",
      customer: id,
      type: "debit",
      amount: -30,
      balance_after: 10,
      description: "GPU minutes",
      metadata: { job: "j-7" },
    });
    const short = await debit(k.secret, id, 11, key());
    expect(short.status).toBe(402);
    expect(short.body.error).toMatchObject({ code: "insufficient_credits", param: "amount" });
    expect((await call(customer.GET, `/api/v1/customers/${id}`, { key: k.secret }, { external_id: id })).body.balance).toBe(10);
    const ev = await call<{ data: { type: string; data: { object: { id: string } } }[] }>(events.GET, `/api/v1/events?customer=${id}`, { key: k.secret });
    expect(ev.body.data.map((e) => e.type)).toEqual(["credits.debited", "credits.granted"]);
    expect(ev.body.data[0]?.data.object.id).toBe(r.body.id);
    const onlyGrants = await call<{ data: { type: string }[] }>(events.GET, `/api/v1/events?customer=${id}&type=credits.granted`, { key: k.secret });
    expect(onlyGrants.body.data.map((e) => e.type)).toEqual(["credits.granted"]);
  });

  test("100 concurrent debits with one Idempotency-Key: one ledger entry, 100 identical answers; another amount with that key is 422", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 500);
    const idem = key();
    const answers = await Promise.all(Array.from({ length: 100 }, () => debit(k.secret, id, 7, idem)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(99);
    expect(await ledgerSum(id)).toEqual({ balance: 493, sum: 493, entries: 2 });
    const other = await debit(k.secret, id, 8, idem);
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_reused", param: "Idempotency-Key" });
    // The same key on another customer or route is a different request too.
    const otherId = await newCustomer(k.secret, 50);
    expect((await debit(k.secret, otherId, 7, idem)).status).toBe(422);
    expect((await ledgerSum(id)).balance).toBe(493);
    expect((await ledgerSum(otherId)).balance).toBe(50);
    // A later retry replays the first answer.
    const later = await debit(k.secret, id, 7, idem);
    expect(later.text).toBe(answers[0]?.text);
  });

  test("Idempotency-Keys belong to their API key: two keys sending the same key and body make two debits, each replayed to its own key", async () => {
    const a = await createKey();
    const b = await createKey();
    const id = await newCustomer(a.secret, 100);
    const idem = key();
    const first = await debit(a.secret, id, 10, idem);
    const second = await debit(b.secret, id, 10, idem);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect((await debit(a.secret, id, 10, idem)).text).toBe(first.text);
    expect((await debit(b.secret, id, 10, idem)).text).toBe(second.text);
    expect(await ledgerSum(id)).toEqual({ balance: 80, sum: 80, entries: 3 });
  });

  test("100 concurrent distinct debits of 1 on a balance of 50: exactly 50 succeed, 50 get 402, balance 0, Σ ledger = balance", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 50);
    const answers = await Promise.all(Array.from({ length: 100 }, () => debit(k.secret, id, 1, key())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(50);
    const refused = answers.filter((a) => a.status === 402);
    expect(refused).toHaveLength(50);
    expect(refused.every((a) => a.body.error?.code === "insufficient_credits")).toBe(true);
    expect(await ledgerSum(id)).toEqual({ balance: 0, sum: 0, entries: 51 });
    expect(await db.hostEvent.count({ where: { customerId: id, type: "credits.debited" } })).toBe(50);
  });

  test("a refused debit's answer is stored too: retrying its key after a top-up still says 402", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 1);
    const idem = key();
    expect((await debit(k.secret, id, 5, idem)).status).toBe(402);
    await call(
      grants.POST,
      `/api/v1/customers/${id}/grants`,
      { key: k.secret, body: { amount: 10, reason: "top-up" }, idempotencyKey: key() },
      { external_id: id },
    );
    expect((await debit(k.secret, id, 5, idem)).status).toBe(402);
    expect((await debit(k.secret, id, 5, key())).status).toBe(201);
  });

  test("a grant adds credits once per key and says why", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret);
    const idem = key();
    const body = { amount: 25, reason: "beta tester", metadata: { campaign: "beta" } };
    const a = await call(grants.POST, `/api/v1/customers/${id}/grants`, { key: k.secret, body, idempotencyKey: idem }, { external_id: id });
    const b = await call(grants.POST, `/api/v1/customers/${id}/grants`, { key: k.secret, body, idempotencyKey: idem }, { external_id: id });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ type: "grant", amount: 25, balance_after: 25, description: "beta tester", metadata: { campaign: "beta" } });
    expect(b.text).toBe(a.text);
    expect(await ledgerSum(id)).toEqual({ balance: 25, sum: 25, entries: 1 });
  });
});

describe("the ledger", () => {
  test("newest first, paginated with starting_after and has_more; an unknown cursor is 400", async () => {
    const k = await createKey();
    const id = await newCustomer(k.secret, 10);
    for (let i = 1; i <= 3; i++) await debit(k.secret, id, i, key());
    type L = { object: string; has_more: boolean; data: { id: string; amount: number }[] };
    const p1 = await call<L>(ledger.GET, `/api/v1/customers/${id}/ledger?limit=2`, { key: k.secret }, { external_id: id });
    expect(p1.body.object).toBe("list");
    expect(p1.body.data.map((e) => e.amount)).toEqual([-3, -2]);
    expect(p1.body.has_more).toBe(true);
    const p2 = await call<L>(
      ledger.GET,
      `/api/v1/customers/${id}/ledger?limit=2&starting_after=${p1.body.data[1]?.id}`,
      { key: k.secret },
      { external_id: id },
    );
    expect(p2.body.data.map((e) => e.amount)).toEqual([-1, 10]);
    expect(p2.body.has_more).toBe(false);
    const bad = await call(ledger.GET, `/api/v1/customers/${id}/ledger?starting_after=nope`, { key: k.secret }, { external_id: id });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.param).toBe("starting_after");
  });
});
