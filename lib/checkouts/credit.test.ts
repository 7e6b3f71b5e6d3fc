import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { creditCheckout, creditKey } from "./credit";

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

  it("unknown checkouts are not_found", async () => {
    await expect(creditCheckout("missing")).rejects.toMatchObject({ code: "not_found" });
  });
});
