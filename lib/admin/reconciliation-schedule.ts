import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { DIFFERENCE_LABEL, type ReconciliationReport, railName, reconciliationReport } from "./reconciliation";

// The scheduled reconciliation: every RECONCILIATION_INTERVAL_HOURS (0: never) the report runs
// over the last RECONCILIATION_DAYS, its run is recorded (ReconciliationRun, with the keys of
// its differences), and ADMIN_EMAILS get one email when it found differences the previous
// scheduled run did not have — once per new difference set, not on every run: a difference
// that persists is not mailed again, one that went away and came back is.
// Both triggers call this: the Inngest cron (inngest/functions/reconciliation-report.ts) and
// the in-process driver (lib/server-start.ts hands it to lib/lifecycle/driver.ts). Whether a
// run is due is read from the database, so restarts, several instances and both triggers
// agree; a PostgreSQL advisory lock keeps two instances from running it at once.

/** Arbitrary but fixed: the advisory lock key of the scheduled report ("satchel-reconciliation"). */
export const RECONCILIATION_LOCK_KEY = 0x5a7c4e2;

export type ScheduledReconciliation =
  | { ran: false; reason: "off" | "not_due" | "busy" }
  | { ran: true; runId: string; differences: number; newDifferences: number; alerted: number; chainCalls: number; uncheckedAddresses: number };

export async function scheduledReconciliation(now = new Date()): Promise<ScheduledReconciliation> {
  const hours = env().RECONCILIATION_INTERVAL_HOURS;
  if (hours === 0) return { ran: false, reason: "off" };
  if (!(await due(now, hours))) return { ran: false, reason: "not_due" };
  if (env().embedded) return run(now, hours);
  let out: ScheduledReconciliation = { ran: false, reason: "busy" };
  await db.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RECONCILIATION_LOCK_KEY}::bigint) AS locked`;
      if (row?.locked) out = await run(now, hours);
    },
    { timeout: 30 * 60_000, maxWait: 10_000 },
  );
  return out;
}

async function due(now: Date, hours: number): Promise<boolean> {
  const last = await db.reconciliationRun.findFirst({ where: { trigger: "schedule" }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  return !last || now.getTime() - last.createdAt.getTime() >= hours * 3_600_000;
}

async function run(now: Date, hours: number): Promise<ScheduledReconciliation> {
  // Re-checked under the lock: another instance may have run it while this one waited.
  if (!(await due(now, hours))) return { ran: false, reason: "not_due" };
  const previous = await db.reconciliationRun.findFirst({ where: { trigger: "schedule" }, orderBy: { createdAt: "desc" }, select: { differenceKeys: true } });
  const report = await reconciliationReport({ now, to: now });
  const keys = [...new Set(report.differences.map((d) => d.key))].sort();
  const known = new Set(previous?.differenceKeys ?? []);
  const fresh = report.differences.filter((d) => !known.has(d.key));
  const runRow = await db.reconciliationRun.create({
    data: {
      trigger: "schedule",
      periodFrom: report.period.from,
      periodTo: report.period.to,
      differences: report.differences.length,
      differenceKeys: keys,
      summary: summaryOf(report),
      createdAt: now,
    },
    select: { id: true },
  });
  let alerted = 0;
  if (fresh.length > 0) {
    alerted = await alertAdmins(runRow.id, report, fresh);
    if (alerted > 0) await db.reconciliationRun.update({ where: { id: runRow.id }, data: { alertedAt: new Date() } });
    log.warn({ runId: runRow.id, differences: report.differences.length, new: fresh.length, alerted }, "reconciliation: new differences");
  }
  return {
    ran: true,
    runId: runRow.id,
    differences: report.differences.length,
    newDifferences: fresh.length,
    alerted,
    chainCalls: report.chainCalls,
    uncheckedAddresses: report.unchecked.addresses,
  };
}

/** The figures worth keeping beside the keys (JSON: amounts as strings). */
function summaryOf(r: ReconciliationReport): Prisma.InputJsonValue {
  return {
    totals: r.totals.map((t) => ({
      rail: t.rail,
      unit: t.unit,
      checkouts: t.checkouts,
      received: t.received.toString(),
      credited: t.credited.toString(),
      credits: t.credits,
      forwarded: t.forwarded.toString(),
      refunded: t.refunded.toString(),
      openExceptions: t.openExceptions.toString(),
      inProgress: t.inProgress.toString(),
      marked: t.marked.toString(),
      differences: t.differences,
    })),
    ledger: { ...r.ledger },
    chainCalls: r.chainCalls,
    uncheckedAddresses: r.unchecked.addresses,
  };
}

/** One email per admin per run (the dedup key), listing the new differences with their links. */
async function alertAdmins(runId: string, r: ReconciliationReport, fresh: ReconciliationReport["differences"]): Promise<number> {
  const base = env().APP_URL;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const page = new URL(`/admin/reconciliation?from=${day(r.period.from)}&to=${day(r.period.to)}`, base).toString();
  const shown = fresh.slice(0, 25);
  const text = [
    `The scheduled reconciliation found ${fresh.length} new difference(s) (${r.differences.length} in all) for checkouts created ${r.period.from.toISOString()} – ${r.period.to.toISOString()}:`,
    "",
    ...shown.map((d) => `- ${DIFFERENCE_LABEL[d.kind]} [${railName(d.rail)}] ${d.email ?? ""} ${d.message}\n  ${new URL(d.href, base)}`),
    ...(fresh.length > shown.length ? [`… and ${fresh.length - shown.length} more.`] : []),
    "",
    `The whole report: ${page}`,
    "You hear about a difference once; the next runs mention only new ones.",
    "",
  ].join("\n");
  let sent = 0;
  for (const admin of env().ADMIN_EMAILS) {
    try {
      await sendEmail({ dedupKey: `reconciliation:${runId}:${admin}`, to: admin, subject: `Satchel: ${fresh.length} new reconciliation difference(s)`, text });
      sent++;
    } catch (err) {
      log.warn({ err: (err as Error).message, runId }, "reconciliation: the alert email failed; the differences stay on /admin/reconciliation");
    }
  }
  return sent;
}
