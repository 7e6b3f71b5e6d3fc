import { randomBytes } from "node:crypto";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { closeDatabase, db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { createUser } from "@/test/factories";
import { credit, debit, type LedgerResult, ledgerFor } from "./ledger";

// Real PostgreSQL, real concurrency: every scenario ends by checking that the user's cached
// balance equals the sum of their ledger entries.

afterAll(() => closeDatabase());

let userId: string;
beforeEach(async () => {
  userId = (await createUser()).id;
});

const key = (label: string) => `test:${label}:${randomBytes(6).toString("hex")}`;

async function expectConsistent(id: string): Promise<{ balance: number; sum: number; count: number }> {
  const user = await db.user.findUniqueOrThrow({ where: { id }, select: { balance: true } });
  const agg = await db.ledgerEntry.aggregate({ where: { userId: id }, _sum: { amount: true }, _count: true });
  const sum = agg._sum.amount ?? 0;
  expect(sum).toBe(user.balance);
  expect(user.balance).toBeGreaterThanOrEqual(0);
  const negative = await db.ledgerEntry.count({ where: { userId: id, balanceAfter: { lt: 0 } } });
  expect(negative).toBe(0);
  return { balance: user.balance, sum, count: agg._count };
}

async function expectAppError(p: Promise<unknown>, code: AppError["code"]): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe("credit", () => {
  test("applies once and reports the new balance", async () => {
    const r = await credit({ userId, amount: 25, idempotencyKey: key("one"), reason: "purchase", reference: "chk_1" });
    expect(r).toMatchObject({ balanceAfter: 25, applied: true });
    const page = await ledgerFor(userId);
    expect(page.balance).toBe(25);
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({ id: r.entryId, amount: 25, balanceAfter: 25, reason: "purchase", reference: "chk_1" });
    await expectConsistent(userId);
  });

  test("a retried key returns the first entry and changes nothing", async () => {
    const k = key("retry");
    const first = await credit({ userId, amount: 10, idempotencyKey: k, reason: "purchase" });
    const again = await credit({ userId, amount: 10, idempotencyKey: k, reason: "purchase" });
    expect(again).toEqual({ entryId: first.entryId, balanceAfter: 10, applied: false });
    expect(await expectConsistent(userId)).toMatchObject({ balance: 10, count: 1 });
  });

  test("100 parallel credits with the same key make exactly one entry", async () => {
    const k = key("same");
    const results = await Promise.all(Array.from({ length: 100 }, () => credit({ userId, amount: 7, idempotencyKey: k, reason: "purchase" })));
    const ids = new Set(results.map((r) => r.entryId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(results.every((r) => r.balanceAfter === 7)).toBe(true);
    expect(await expectConsistent(userId)).toMatchObject({ balance: 7, count: 1 });
  });

  test("100 parallel distinct credits add up exactly", async () => {
    const amounts = Array.from({ length: 100 }, (_, i) => (i % 9) + 1);
    const results = await Promise.all(amounts.map((amount, i) => credit({ userId, amount, idempotencyKey: key(`distinct-${i}`), reason: "purchase" })));
    expect(new Set(results.map((r) => r.entryId)).size).toBe(100);
    const total = amounts.reduce((a, b) => a + b, 0);
    expect(await expectConsistent(userId)).toMatchObject({ balance: total, count: 100 });
    // Each entry's balanceAfter is a distinct running total: the movements were serialised.
    const after = (await db.ledgerEntry.findMany({ where: { userId }, select: { balanceAfter: true } })).map((e) => e.balanceAfter);
    expect(new Set(after).size).toBe(100);
    expect(Math.max(...after)).toBe(total);
  });
});

describe("debit", () => {
  test("100 parallel debits of 1 against a balance of 50: exactly 50 succeed", async () => {
    await credit({ userId, amount: 50, idempotencyKey: key("fund"), reason: "purchase" });
    const settled = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => debit({ userId, amount: 1, idempotencyKey: key(`spend-${i}`), reason: "spend" })),
    );
    const ok = settled.filter((s): s is PromiseFulfilledResult<LedgerResult> => s.status === "fulfilled");
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(ok).toHaveLength(50);
    expect(failed).toHaveLength(50);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(AppError);
      expect((f.reason as AppError).code).toBe("insufficient_credits");
    }
    expect(await expectConsistent(userId)).toMatchObject({ balance: 0, count: 51 });
  });

  test("mixed parallel debits never overdraw", async () => {
    await credit({ userId, amount: 50, idempotencyKey: key("fund"), reason: "purchase" });
    const amounts = [...Array.from({ length: 100 }, () => 1), ...Array.from({ length: 20 }, () => 3)].sort(() => Math.random() - 0.5);
    const settled = await Promise.allSettled(amounts.map((amount, i) => debit({ userId, amount, idempotencyKey: key(`mixed-${i}`), reason: "spend" })));
    let spent = 0;
    let successes = 0;
    settled.forEach((s, i) => {
      if (s.status === "fulfilled") {
        spent += amounts[i]!;
        successes++;
      } else {
        expect(s.reason).toBeInstanceOf(AppError);
        expect((s.reason as AppError).code).toBe("insufficient_credits");
      }
    });
    // Some debit of 1 must have failed (demand 160 > 50), and a debit of 1 only fails at
    // balance 0, so everything was spent: no more, no less.
    expect(spent).toBe(50);
    expect(await expectConsistent(userId)).toMatchObject({ balance: 0, count: 1 + successes });
  });

  test("a debit larger than the balance fails and writes nothing", async () => {
    await credit({ userId, amount: 5, idempotencyKey: key("fund"), reason: "purchase" });
    const err = await expectAppError(debit({ userId, amount: 6, idempotencyKey: key("big"), reason: "spend" }), "insufficient_credits");
    expect(err.status).toBe(422);
    expect(await expectConsistent(userId)).toMatchObject({ balance: 5, count: 1 });
  });

  test("an unknown user is not_found", async () => {
    await expectAppError(credit({ userId: "no-such-user", amount: 1, idempotencyKey: key("ghost"), reason: "x" }), "not_found");
    await expectAppError(debit({ userId: "no-such-user", amount: 1, idempotencyKey: key("ghost"), reason: "x" }), "not_found");
  });
});

describe("idempotency keys", () => {
  test("reusing a key for a different amount is a conflict", async () => {
    const k = key("reuse");
    await credit({ userId, amount: 10, idempotencyKey: k, reason: "purchase" });
    await expectAppError(credit({ userId, amount: 11, idempotencyKey: k, reason: "purchase" }), "conflict");
    // Same size but opposite direction, and another user, are different movements too.
    await expectAppError(debit({ userId, amount: 10, idempotencyKey: k, reason: "spend" }), "conflict");
    const other = await createUser();
    await expectAppError(credit({ userId: other.id, amount: 10, idempotencyKey: k, reason: "purchase" }), "conflict");
    expect(await expectConsistent(userId)).toMatchObject({ balance: 10, count: 1 });
    expect(await expectConsistent(other.id)).toMatchObject({ balance: 0, count: 0 });
  });

  test("parallel reuse of one key with different amounts: one wins, the rest conflict", async () => {
    const k = key("race");
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => credit({ userId, amount: i + 1, idempotencyKey: k, reason: "purchase" })));
    const ok = settled.filter((s) => s.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const s of settled) if (s.status === "rejected") expect((s.reason as AppError).code).toBe("conflict");
    const { balance, count } = await expectConsistent(userId);
    expect(count).toBe(1);
    expect(balance).toBe((ok[0] as PromiseFulfilledResult<LedgerResult>).value.balanceAfter);
  });
});

describe("amount validation", () => {
  test.each([0, -1, -100, 1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    "amount %s is rejected for credit and debit",
    async (amount) => {
      // Synchronous throw or rejected promise: either way the caller sees validation_failed.
      await expectAppError(
        Promise.resolve().then(() => credit({ userId, amount, idempotencyKey: key("bad"), reason: "x" })),
        "validation_failed",
      );
      await expectAppError(
        Promise.resolve().then(() => debit({ userId, amount, idempotencyKey: key("bad"), reason: "x" })),
        "validation_failed",
      );
      expect(await expectConsistent(userId)).toMatchObject({ balance: 0, count: 0 });
    },
  );
});
