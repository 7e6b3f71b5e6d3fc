import { hostMaintenance } from "@/lib/host/maintenance";
import { inngest } from "../client";

// Webhooks to host applications with Inngest: every minute, one sweep over the deliveries
// that are due (lib/host/webhooks.ts: claimed with SKIP LOCKED, so an overlapping run or the
// in-process driver never sends one twice at once), plus the hourly Idempotency-Key cleanup.
// The delivery rows are the durable state: a run that dies is repeated by the next one.
export const hostMaintenanceCron = inngest.createFunction(
  {
    id: "host-maintenance",
    name: "Deliver webhooks to host applications",
    triggers: [{ cron: "* * * * *" }],
    singleton: { mode: "skip" },
    retries: 2,
  },
  async ({ step }) => step.run("deliver-webhooks", () => hostMaintenance()),
);
