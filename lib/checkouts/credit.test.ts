import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { creditCheckout, creditKey } from "./credit";
import { compareAndSet, stampFor } from "./transition";

// Exactly-once crediting against real Postgres: many concurrent attempts, one entry.

async function paidCheckout(
  over: { exception?: "overpaid" | "underpaid" | "multiple" | null; status?: "paid" | "confirming" | "expired"; receivedAmount?: bigint } = {},
) {
  const user = await createUser();
  const pkg = await db.creditPackage.upsert({
    where: { slug: "credit-test" },
    update: {},
    create: { slug: "credit-test", name: "Test", credits: 500, priceMinor: 2000, currency: "USD", active: false },
  });
  const now = new Date();
  const checkout = await db.checkout.create({
    data: {
      userId: user.id,
      packageId: pkg.id,
      packageName: pkg.name,
      credits: 500,
      priceMinor: 2000,
      currency: "USD",
      rail: "btc",
      status: over.status ?? "paid",
      exception: over.exception ?? null,
      expectedAmount: 20_000n,
      receivedAmount: over.receivedAmount ?? 20_000n,
      amountUnit: "sat",
      expiresAt: new Date(now.getTime() + 3_600_000),
      monitorUntil: new Date(now.getTime() + 7_200_000),
      paidAt: now,
    },
  });
  return { user, checkout };
}

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;

describe("creditCheckout", () => {
  it("50 concurrent attempts credit exactly once", async () => {
    const { user, checkout } = await paidCheckout();
    const results = await Promise.all(Array.from({ length: 50 }, () => creditCheckout(checkout.id)));
    expect(results.filter((r) => r.outcome === "credited")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "already_credited")).toHaveLength(49);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkout.id) } })).toBe(1);
    expect(await balance(user.id)).toBe(500);
    const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
    expect(row.status).toBe("credited");
    expect(row.creditedAt).not.toBeNull();
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id, toStatus: "credited" } })).toBe(1);
  });

  it("crediting again later changes nothing", async () => {
    const { user, checkout } = await paidCheckout();
    await creditCheckout(checkout.id);
    expect(await creditCheckout(checkout.id)).toEqual({ outcome: "already_credited" });
    expect(await balance(user.id)).toBe(500);
  });

  it("an overpaid checkout credits the package and records the excess", async () => {
    const { user, checkout } = await paidCheckout({ exception: "overpaid", receivedAmount: 25_000n });
    expect(await creditCheckout(checkout.id)).toMatchObject({ outcome: "credited", credits: 500 });
    expect(await balance(user.id)).toBe(500);
    const event = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: checkout.id, toStatus: "credited" } });
    expect(event.message).toContain("5000 sat overpaid");
  });

  it.each([
    ["underpaid, waiting for an admin", { status: "expired" as const, exception: "underpaid" as const }],
    ["not yet paid", { status: "confirming" as const }],
  ])("does not credit a checkout that is %s", async (_name, over) => {
    const { user, checkout } = await paidCheckout(over);
    expect(await creditCheckout(checkout.id)).toMatchObject({ outcome: "not_creditable" });
    expect(await balance(user.id)).toBe(0);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).toBe(0);
  });

  it("an exact payment: the outcome names the ledger entry, the timeline says what was added, and checkout.credited is announced", async () => {
    const { user, checkout } = await paidCheckout();
    const r = await creditCheckout(checkout.id);
    const entry = await db.ledgerEntry.findFirstOrThrow({ where: { idempotencyKey: creditKey(checkout.id) } });
    expect(r).toEqual({ outcome: "credited", credits: 500, entryId: entry.id });
    expect(entry).toMatchObject({ userId: user.id, amount: 500, reason: "purchase" });
    const event = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: checkout.id, toStatus: "credited" } });
    expect(event).toMatchObject({ fromStatus: "paid", message: "500 credits added", data: { credits: 500, excess: "0" } });
    const announced = await db.eventOutbox.findMany({ where: { name: "satchel/checkout.credited" } });
    expect(announced.filter((e) => (e.data as { checkoutId?: string }).checkoutId === checkout.id).map((e) => e.data)).toEqual([
      { checkoutId: checkout.id, source: "lifecycle" },
    ]);
    // Not announced again by a second attempt.
    await creditCheckout(checkout.id);
    const again = await db.eventOutbox.findMany({ where: { name: "satchel/checkout.credited" } });
    expect(again.filter((e) => (e.data as { checkoutId?: string }).checkoutId === checkout.id)).toHaveLength(1);
  });

  it("the overpaid excess is recorded on the credited event", async () => {
    const { checkout } = await paidCheckout({ exception: "overpaid", receivedAmount: 25_000n });
    await creditCheckout(checkout.id);
    const event = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: checkout.id, toStatus: "credited" } });
    expect(event.data).toEqual({ credits: 500, excess: "5000" });
  });

  it("unknown checkouts are not_found", async () => {
    await expect(creditCheckout("missing")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("the status compare-and-set", () => {
  it("a stale version changes nothing and writes no event; the current version applies the patch and its events once", async () => {
    const { checkout } = await paidCheckout();
    const ev = { fromStatus: "paid" as const, toStatus: "expired" as const, exception: null, cause: "system" as const, message: "test" };
    const stale = await db.$transaction((tx) => compareAndSet(tx, { id: checkout.id, version: checkout.version + 1 }, { status: "expired" }, [ev]));
    expect(stale).toBe(false);
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id } })).toBe(0);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).status).toBe("paid");
    const won = await db.$transaction((tx) => compareAndSet(tx, checkout, { status: "expired" }, [ev]));
    expect(won).toBe(true);
    const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
    expect(row).toMatchObject({ status: "expired", version: checkout.version + 1 });
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id } })).toBe(1);
    expect(await db.$transaction((tx) => compareAndSet(tx, { id: checkout.id, version: row.version }, { exception: null }, []))).toBe(true);
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id } })).toBe(1);
  });

  it("stamps the column of the status entered", () => {
    const now = new Date("2026-01-02T03:04:05Z");
    expect(stampFor("paid", now)).toEqual({ paidAt: now });
    expect(stampFor("credited", now)).toEqual({ creditedAt: now });
    expect(stampFor("forwarded", now)).toEqual({ forwardedAt: now });
    expect(stampFor("expired", now)).toEqual({ expiredAt: now });
    expect(stampFor("failed", now)).toEqual({ failedAt: now });
    expect(stampFor("pending", now)).toEqual({});
    expect(stampFor("confirming", now)).toEqual({});
  });
});
