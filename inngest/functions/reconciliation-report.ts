import { scheduledReconciliation } from "@/lib/admin/reconciliation-schedule";
import { inngest } from "../client";

// The scheduled reconciliation report with Inngest: every hour the function asks whether a run
// is due (RECONCILIATION_INTERVAL_HOURS since the last one, read from the database) and, if so,
// runs the report, records it and emails ADMIN_EMAILS about differences that are new since the
// previous run (lib/admin/reconciliation-schedule.ts). The in-process driver calls the same
// function without Inngest. Never two at once: the singleton here, an advisory lock there.
export const reconciliationReportCron = inngest.createFunction(
  {
    id: "reconciliation-report",
    name: "Reconciliation report",
    triggers: [{ cron: "17 * * * *" }],
    singleton: { mode: "skip" },
    retries: 2,
  },
  async ({ step }) => step.run("report", () => scheduledReconciliation()),
);
