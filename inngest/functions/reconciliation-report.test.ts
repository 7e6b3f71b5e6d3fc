import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { reconciliationReportCron } from "./reconciliation-report";

// The hourly Inngest function runs the scheduled reconciliation when it is due (the first
// time here: no scheduled run recorded in this test's window), and its step result survives the
// JSON round-trip the real SDK applies (no bigint).

beforeAll(() => {
  process.env.RECONCILIATION_INTERVAL_HOURS = "24";
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.RECONCILIATION_INTERVAL_HOURS;
  resetEnvForTests();
});

it("runs the report once when due, records the run, and says not_due within the interval", async () => {
  const before = await db.reconciliationRun.count({ where: { trigger: "schedule" } });
  const first = await new InngestTestEngine({
    function: reconciliationReportCron,
    events: [{ name: "inngest/scheduled.timer", data: { cron: "17 * * * *" } }] as never,
  }).execute();
  const ran = first.result as { ran: boolean; runId?: string };
  // Another file of this worker may have recorded a scheduled run in the last 24 hours; then nothing is due.
  if (before === 0) expect(ran).toMatchObject({ ran: true, runId: expect.any(String) });
  expect(JSON.parse(JSON.stringify(first.result))).toEqual(first.result);
  const second = await new InngestTestEngine({
    function: reconciliationReportCron,
    events: [{ name: "inngest/scheduled.timer", data: { cron: "17 * * * *" } }] as never,
  }).execute();
  expect(second.result).toEqual({ ran: false, reason: "not_due" });
}, 60_000);
