import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduledReconciliation } from "@/lib/admin/reconciliation-schedule";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { startDriver, stopDriver } from "@/lib/lifecycle/driver";
import { createUser } from "@/test/factories";

// The scheduled reconciliation report: it runs once per RECONCILIATION_INTERVAL_HOURS, records
// each run, and emails ADMIN_EMAILS once per new difference set — a difference that persists is
// not mailed again, a new one is (alone), one that went away and came back is again. The runs
// are dated far ahead, so their period holds no checkout of other test files; the differences
// planted here are balances (the ledger proof covers every user). Files of one Vitest worker
// run one after another, so between two runs here only this file changes the database.

const ADMIN = "recon-admin@test.local";
const T0 = new Date("2100-01-01T00:00:00Z").getTime();
const at = (hours: number) => new Date(T0 + hours * 3_600_000);

beforeAll(() => {
  process.env.ADMIN_EMAILS = ADMIN;
  process.env.RECONCILIATION_INTERVAL_HOURS = "24";
  resetEnvForTests();
});
afterAll(() => {
  process.env.ADMIN_EMAILS = "";
  delete process.env.RECONCILIATION_INTERVAL_HOURS;
  resetEnvForTests();
});

const alerts = () => db.outboundEmail.findMany({ where: { to: ADMIN, dedupKey: { startsWith: "reconciliation:" } }, orderBy: { createdAt: "asc" } });

describe("scheduled reconciliation", () => {
  it("emails once per new difference set, not on every run", async () => {
    // Whatever this worker's database already holds is the baseline: a first run records it.
    await scheduledReconciliation(at(0));
    const baseline = (await alerts()).length;

    const first = await createUser();
    await db.user.update({ where: { id: first.id }, data: { balance: 9 } });
    const r1 = await scheduledReconciliation(at(24));
    expect(r1).toMatchObject({ ran: true, newDifferences: 1, alerted: 1 });
    let mail = await alerts();
    expect(mail).toHaveLength(baseline + 1);
    expect(mail.at(-1)!.subject).toBe("Satchel: 1 new reconciliation difference(s)");
    expect(mail.at(-1)!.text).toContain(`/admin/users/${first.id}`);
    expect(mail.at(-1)!.text).toContain("balance 9 but Σ ledger entries 0");

    // Not due yet: nothing runs.
    expect(await scheduledReconciliation(at(30))).toEqual({ ran: false, reason: "not_due" });

    // The same difference a day later: recorded, not mailed again.
    const r2 = await scheduledReconciliation(at(48));
    expect(r2).toMatchObject({ ran: true, newDifferences: 0, alerted: 0 });
    expect(await alerts()).toHaveLength(baseline + 1);

    // A second one appears: only it is mailed.
    const second = await createUser();
    await db.user.update({ where: { id: second.id }, data: { balance: 4 } });
    expect(await scheduledReconciliation(at(72))).toMatchObject({ ran: true, newDifferences: 1, alerted: 1 });
    mail = await alerts();
    expect(mail).toHaveLength(baseline + 2);
    expect(mail.at(-1)!.text).toContain(`/admin/users/${second.id}`);
    expect(mail.at(-1)!.text).not.toContain(`/admin/users/${first.id}`);

    // The first is fixed, then comes back: mailed again.
    await db.user.update({ where: { id: first.id }, data: { balance: 0 } });
    expect(await scheduledReconciliation(at(96))).toMatchObject({ ran: true, newDifferences: 0 });
    await db.user.update({ where: { id: first.id }, data: { balance: 9 } });
    expect(await scheduledReconciliation(at(120))).toMatchObject({ ran: true, newDifferences: 1, alerted: 1 });
    expect((await alerts()).at(-1)!.text).toContain(`/admin/users/${first.id}`);

    const runs = await db.reconciliationRun.findMany({ where: { trigger: "schedule", createdAt: { gte: at(24) } }, orderBy: { createdAt: "asc" } });
    expect(runs.map((r) => r.alertedAt !== null)).toEqual([true, false, true, false, true]);
    expect(runs.at(-1)!.differenceKeys).toEqual(expect.arrayContaining([`balance_mismatch:${first.id}`, `balance_mismatch:${second.id}`]));

    await db.user.updateMany({ where: { id: { in: [first.id, second.id] } }, data: { balance: 0 } });
  });

  it("RECONCILIATION_INTERVAL_HOURS=0 turns it off", async () => {
    process.env.RECONCILIATION_INTERVAL_HOURS = "0";
    resetEnvForTests();
    try {
      expect(await scheduledReconciliation(at(10_000))).toEqual({ ran: false, reason: "off" });
    } finally {
      process.env.RECONCILIATION_INTERVAL_HOURS = "24";
      resetEnvForTests();
    }
  });

  it("the in-process driver runs a handed-in job in the background, never twice at once", async () => {
    let calls = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const job = async () => {
      calls++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 1_500));
      concurrent--;
    };
    stopDriver();
    expect(startDriver({ force: true, intervalSeconds: 1, jobs: [{ name: "test job", everyMs: 0, run: job }] })).toBe(true);
    try {
      await expect.poll(() => calls, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(maxConcurrent).toBe(1);
    } finally {
      stopDriver();
    }
  });
});
