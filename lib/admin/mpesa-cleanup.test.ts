import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import type { FakeDaraja } from "@/lib/rails/mpesa/sandbox/server";
import { createUser } from "@/test/factories";
import { mpesaSandbox } from "@/test/mpesa";
import { handleMpesaCallback, startMpesaCheckout } from "@/test/rails";
import { applyCleanup, describePlan, planCleanup } from "./mpesa-cleanup";

// `npm run payments:cleanup`: the dry run changes nothing; --apply does exactly what the
// summary listed (confirm + credit failed payments that have a receipt; with --delete-tests,
// delete failed test payments without one); real-money failures are never deleted.

const TOKEN = "test-callback-token-0123456789abcdef";
let fake: FakeDaraja;
beforeAll(async () => {
  fake = await mpesaSandbox({ MPESA_CALLBACK_TOKEN: TOKEN });
});
afterAll(async () => {
  await stopLocalDaraja();
});

async function failedPayment(opts: { receipt?: string; sandbox?: boolean; daysOld?: number } = {}) {
  const user = await createUser();
  const { checkoutId } = await startMpesaCheckout({ userId: user.id, packageId: "medium", phone: "0712345678" });
  const p = await db.mpesaPayment.findUniqueOrThrow({ where: { checkoutId } });
  const { body } = await fake.act(p.checkoutRequestId!, "cancel");
  await handleMpesaCallback(TOKEN, new Headers(), JSON.stringify(body));
  // A success that was lost: the receipt is on the payment, but the checkout still says failed.
  await db.mpesaPayment.update({ where: { checkoutId }, data: { receiptNumber: opts.receipt ?? null, sandbox: opts.sandbox ?? true } });
  if (opts.daysOld) await db.checkout.update({ where: { id: checkoutId }, data: { createdAt: new Date(Date.now() - opts.daysOld * 86_400_000) } });
  expect((await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe("failed");
  return { userId: user.id, checkoutId };
}

const snapshot = async () => ({
  checkouts: await db.checkout.findMany({ select: { id: true, status: true, version: true }, orderBy: { id: "asc" } }),
  ledger: await db.ledgerEntry.count(),
  payments: await db.mpesaPayment.count(),
});

const receipt = () => `T${Math.random().toString(36).slice(2, 11).toUpperCase().padEnd(9, "0")}`;

describe("payments:cleanup", () => {
  it("dry run: prints the summary and changes nothing", async () => {
    const withReceipt = await failedPayment({ receipt: receipt() });
    const test = await failedPayment();
    const before = await snapshot();
    const plan = await planCleanup({ deleteTests: true });
    const lines = describePlan(plan, { deleteTests: true, apply: false });
    expect(lines[0]).toContain("dry run");
    expect(plan.confirm.map((c) => c.checkoutId)).toContain(withReceipt.checkoutId);
    expect(plan.remove.map((r) => r.checkoutId)).toContain(test.checkoutId);
    expect(await snapshot()).toEqual(before);
  });

  it("--apply confirms and credits failed payments with a receipt, exactly as summarised", async () => {
    const a = await failedPayment({ receipt: receipt() });
    const test = await failedPayment();
    const plan = await planCleanup({ deleteTests: false });
    expect(plan.remove).toEqual([]);
    expect(plan.keptTests).toBeGreaterThanOrEqual(1);
    const r = await applyCleanup(plan);
    expect(r).toMatchObject({ confirmed: plan.confirm.length, credited: plan.confirm.length, deleted: 0, skipped: [] });
    for (const c of plan.confirm) expect((await db.checkout.findUniqueOrThrow({ where: { id: c.checkoutId } })).status).toBe("credited");
    expect((await db.user.findUniqueOrThrow({ where: { id: a.userId } })).balance).toBe(500);
    expect(await db.checkout.findUnique({ where: { id: test.checkoutId } })).not.toBeNull();
    // Again: nothing left to do, and no second credit.
    const again = await planCleanup({ deleteTests: false });
    expect(again.confirm).toEqual([]);
    expect((await db.user.findUniqueOrThrow({ where: { id: a.userId } })).balance).toBe(500);
  });

  it("--apply --delete-tests deletes only failed test payments without a receipt; --age-days limits it", async () => {
    const oldTest = await failedPayment({ daysOld: 10 });
    const youngTest = await failedPayment();
    const real = await failedPayment({ sandbox: false, daysOld: 10 });
    const oldReceipt = await failedPayment({ receipt: receipt(), daysOld: 10 });
    const youngReceipt = await failedPayment({ receipt: receipt() });

    const plan = await planCleanup({ deleteTests: true, ageDays: 7 });
    const removeIds = plan.remove.map((x) => x.checkoutId);
    const confirmIds = plan.confirm.map((x) => x.checkoutId);
    expect(removeIds).toContain(oldTest.checkoutId);
    expect(removeIds).not.toContain(youngTest.checkoutId);
    expect(removeIds).not.toContain(real.checkoutId);
    expect(confirmIds).toContain(oldReceipt.checkoutId);
    expect(confirmIds).not.toContain(youngReceipt.checkoutId);
    const lines = describePlan(plan, { deleteTests: true, ageDays: 7, apply: true });
    expect(lines.join("\n")).toContain(`→ delete: ${plan.remove.length}`);

    const before = await db.checkout.count();
    const r = await applyCleanup(plan);
    expect(r).toMatchObject({ confirmed: plan.confirm.length, deleted: plan.remove.length, skipped: [] });
    expect(await db.checkout.count()).toBe(before - plan.remove.length);
    expect(await db.checkout.findUnique({ where: { id: oldTest.checkoutId } })).toBeNull();
    expect(await db.mpesaPayment.findUnique({ where: { checkoutId: oldTest.checkoutId } })).toBeNull();
    for (const keep of [youngTest, real, youngReceipt]) expect((await db.checkout.findUniqueOrThrow({ where: { id: keep.checkoutId } })).status).toBe("failed");
    expect((await db.checkout.findUniqueOrThrow({ where: { id: oldReceipt.checkoutId } })).status).toBe("credited");
  });

  it("the command prints the summary first and, without --apply, changes nothing", async () => {
    await failedPayment({ receipt: receipt() });
    const before = await snapshot();
    const { stdout } = await promisify(execFile)(
      "node_modules/.bin/tsx",
      ["--conditions=react-server", "scripts/payments-cleanup.ts", "--delete-tests", "--age-days", "0"],
      {
        env: { ...process.env, LOG_LEVEL: "silent" },
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(/dry run/);
    expect(stdout).toMatch(/WITH an M-Pesa receipt → confirm as paid and credit: [1-9]/);
    expect(await snapshot()).toEqual(before);
  });
});
