import { reconcile } from "@/lib/lifecycle/reconcile";
import { inngest } from "../client";

// The cron reconciler: every minute, one sweep (lib/lifecycle/reconcile.ts) over whatever
// should have moved and did not — stale observations, overdue expiries, stuck credits,
// forwards and receipts, lost events. Never two at once: Inngest's singleton skips a run
// while one is active, and the sweep's own PostgreSQL advisory lock backs that up.
export const reconcileCron = inngest.createFunction(
  {
    id: "reconcile",
    name: "Reconcile open checkouts",
    triggers: [{ cron: "* * * * *" }],
    singleton: { mode: "skip" },
    concurrency: 1,
    retries: 2,
  },
  async ({ step }) => step.run("sweep", () => reconcile()),
);
