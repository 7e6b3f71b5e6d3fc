import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { call, createKey } from "@/test/api";
import * as debits from "./customers/[external_id]/debits/route";
import * as grants from "./customers/[external_id]/grants/route";
import * as customers from "./customers/route";

// The debit's database cost (issue 13's bench target): how many statements one
// POST /api/v1/customers/{id}/debits sends to PostgreSQL, counted at the driver (every
// query node-postgres sends, BEGIN/COMMIT included), and what it wrote.

let statements: string[] = [];
const original = pg.Client.prototype.query;
beforeAll(() => {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    statements.push(typeof q === "string" ? q : ((q as { text?: string })?.text ?? "?"));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
});
afterAll(() => {
  pg.Client.prototype.query = original;
});

test("a debit is at most 4 statements (key + rate window, idempotency claim, the movement, the stored answer) and writes entry, event and answer", async () => {
  const k = await createKey();
  const id = `q-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  expect((await call(customers.POST, "/api/v1/customers", { key: k.secret, body: { external_id: id } })).status).toBe(200);
  const g = await call(
    grants.POST,
    `/api/v1/customers/${id}/grants`,
    { key: k.secret, body: { amount: 10, reason: "w" }, idempotencyKey: `g-${id}` },
    { external_id: id },
  );
  expect(g.status).toBe(201);
  const idem = `d-${id}`;
  const debit = () => call(debits.POST, `/api/v1/customers/${id}/debits`, { key: k.secret, body: { amount: 3 }, idempotencyKey: idem }, { external_id: id });
  await debit(); // warm: the key's last-used time (written at most once a minute) is now fresh
  const idem2 = `d2-${id}`;
  statements = [];
  const r = await call(debits.POST, `/api/v1/customers/${id}/debits`, { key: k.secret, body: { amount: 3 }, idempotencyKey: idem2 }, { external_id: id });
  const sent = statements.filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK)/i.test(s));
  const total = statements.length;
  statements = [];
  console.log(`statements per debit: ${total} (${sent.length} besides BEGIN/COMMIT)`);
  expect(r.status).toBe(201);
  expect(r.body).toMatchObject({ object: "ledger_entry", type: "debit", amount: -3, balance_after: 4, customer: id });
  expect(total).toBeLessThanOrEqual(4);
  const event = await db.hostEvent.findUniqueOrThrow({ where: { sourceKey: `ledger:api:debit:${k.id}:${idem2}` } });
  expect(event).toMatchObject({ type: "credits.debited", customerId: id });
  expect(event.data).toEqual(r.body);
  const entry = await db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: `api:debit:${k.id}:${idem2}` } });
  expect(entry).toMatchObject({ id: r.body.id, amount: -3, balanceAfter: 4 });
  expect(entry.createdAt.toISOString()).toBe(r.body.created_at);
  // A replay is answered from the stored answer: the same bytes, no new movement.
  const again = await call(debits.POST, `/api/v1/customers/${id}/debits`, { key: k.secret, body: { amount: 3 }, idempotencyKey: idem2 }, { external_id: id });
  expect(again.body).toEqual(r.body);
  expect(await db.ledgerEntry.count({ where: { user: { customer: { externalId: id } } } })).toBe(3);
});
