import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { resetMpesaSettingsForTests } from "@/lib/rails/mpesa/config";
import { PROMPTS_LIMITED } from "@/lib/rails/mpesa/rail";
import { stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import type { FakeDaraja } from "@/lib/rails/mpesa/sandbox/server";
import { createUser } from "@/test/factories";
import { mpesaSandbox } from "@/test/mpesa";
import { startMpesaCheckout } from "@/test/rails";

// The limits on starting checkouts hold under concurrency (real PostgreSQL, many connections):
// the per-buyer limit is decided inside the insert's transaction, and M-Pesa prompts to one
// phone number are limited across every buyer.

let fake: FakeDaraja;

beforeAll(async () => {
  fake = await mpesaSandbox({ CHECKOUT_RATE_LIMIT_PER_HOUR: "20", MPESA_PROMPTS_PER_PHONE_PER_HOUR: "10000" });
});
afterAll(async () => {
  await stopLocalDaraja();
});

const settle = <T>(ps: Promise<T>[]) => Promise.allSettled(ps);
const refusedWith = (r: PromiseSettledResult<unknown>[], code: string) =>
  r.filter((x) => x.status === "rejected" && isAppError(x.reason) && x.reason.code === code).length;

describe("the per-buyer checkout limit", () => {
  it("60 concurrent starts by one buyer create exactly CHECKOUT_RATE_LIMIT_PER_HOUR (20) checkouts; the rest get 429", async () => {
    const user = await createUser();
    const results = await settle(
      Array.from({ length: 60 }, (_, i) => startMpesaCheckout({ userId: user.id, packageId: "medium", phone: `07${String(10_000_000 + i).padStart(8, "0")}` })),
    );
    const unexpected = results.filter((r) => r.status === "rejected" && !(isAppError(r.reason) && r.reason.code === "rate_limited"));
    expect(unexpected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(refusedWith(results, "rate_limited")).toBe(40);
    expect(await db.checkout.count({ where: { userId: user.id } })).toBe(20);
    // Another buyer is not affected.
    const other = await createUser();
    await expect(startMpesaCheckout({ userId: other.id, packageId: "medium", phone: "0799000001" })).resolves.toMatchObject({ checkoutId: expect.any(String) });
  });
});

describe("the per-phone limit on M-Pesa prompts", () => {
  it("40 concurrent starts to one phone (by many buyers) send MPESA_PROMPTS_PER_PHONE_PER_HOUR (5) prompts; the rest are refused before any checkout exists", async () => {
    process.env.MPESA_PROMPTS_PER_PHONE_PER_HOUR = "5";
    resetMpesaSettingsForTests();
    try {
      const phone = "0733444555";
      const pushesBefore = fake.stats.push;
      const users = await Promise.all(Array.from({ length: 8 }, () => createUser()));
      const results = await settle(Array.from({ length: 40 }, (_, i) => startMpesaCheckout({ userId: users[i % 8]!.id, packageId: "medium", phone })));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
      expect(refusedWith(results, "rate_limited")).toBe(35);
      const refusal = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(refusal.reason.message).toBe(PROMPTS_LIMITED);
      expect(refusal.reason.status).toBe(429);
      expect(fake.stats.push - pushesBefore).toBe(5);
      expect(await db.mpesaPayment.count({ where: { phone: "254733444555" } })).toBe(5);
      expect(await db.checkout.count({ where: { userId: { in: users.map((u) => u.id) } } })).toBe(5);
      // Other numbers still get their prompts.
      await expect(startMpesaCheckout({ userId: users[0]!.id, packageId: "medium", phone: "0733444556" })).resolves.toBeTruthy();
    } finally {
      process.env.MPESA_PROMPTS_PER_PHONE_PER_HOUR = "10000";
      resetMpesaSettingsForTests();
      resetEnvForTests();
    }
  });
});
