import "server-only";
import { applyFacts } from "@/lib/checkouts/apply";
import { creditCheckout } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";

// `npm run payments:cleanup` (the old system's cleanup_failed_payments), as a plan and its
// execution, so the command can print exactly what it will do before doing it:
//   - failed M-Pesa payments that DO have an M-Pesa receipt actually succeeded (the receipt
//     proves the money moved; the success was lost or arrived out of order): confirm them
//     (failed → paid) and credit them, through the same idempotent path a callback takes;
//   - failed TEST payments (local sandbox or Daraja's sandbox) without a receipt are deleted,
//     only with --delete-tests. Real-money failures are never deleted: they are the record.
// --age-days N limits both to payments created more than N days ago.

export interface CleanupOptions {
  deleteTests: boolean;
  ageDays?: number;
  now?: Date;
}

export interface CleanupPlan {
  /** Failed, with a receipt: would be confirmed and credited. */
  confirm: { checkoutId: string; receipt: string; amountKes: number; credits: number; createdAt: Date }[];
  /** Failed test payments without a receipt: would be deleted (only with deleteTests). */
  remove: { checkoutId: string; createdAt: Date; sandbox: boolean }[];
  /** Failed test payments without a receipt that stay because deleteTests is off. */
  keptTests: number;
  cutoff: Date | null;
}

export interface CleanupResult {
  confirmed: number;
  credited: number;
  deleted: number;
  skipped: { checkoutId: string; reason: string }[];
}

export async function planCleanup(opts: CleanupOptions): Promise<CleanupPlan> {
  const now = opts.now ?? new Date();
  const cutoff = opts.ageDays !== undefined ? new Date(now.getTime() - opts.ageDays * 86_400_000) : null;
  const age = cutoff ? { createdAt: { lt: cutoff } } : {};
  const withReceipt = await db.checkout.findMany({
    where: { rail: "mpesa", status: "failed", ...age, mpesa: { receiptNumber: { not: null } } },
    select: { id: true, credits: true, createdAt: true, mpesa: { select: { receiptNumber: true, amountKes: true } } },
    orderBy: { createdAt: "asc" },
  });
  const tests = await db.checkout.findMany({
    where: { rail: "mpesa", status: "failed", ...age, mpesa: { receiptNumber: null, sandbox: true } },
    select: { id: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  return {
    confirm: withReceipt.map((c) => ({
      checkoutId: c.id,
      receipt: c.mpesa!.receiptNumber!,
      amountKes: c.mpesa!.amountKes,
      credits: c.credits,
      createdAt: c.createdAt,
    })),
    remove: opts.deleteTests ? tests.map((c) => ({ checkoutId: c.id, createdAt: c.createdAt, sandbox: true })) : [],
    keptTests: opts.deleteTests ? 0 : tests.length,
    cutoff,
  };
}

/** Does what the plan lists, and nothing else; each row is re-checked as it is acted on. */
export async function applyCleanup(plan: CleanupPlan): Promise<CleanupResult> {
  const result: CleanupResult = { confirmed: 0, credited: 0, deleted: 0, skipped: [] };
  for (const item of plan.confirm) {
    const r = await applyFacts(
      item.checkoutId,
      [
        {
          kind: "paid",
          amount: BigInt(item.amountKes),
          ref: item.receipt,
          message: `payments:cleanup: M-Pesa receipt ${item.receipt} proves the payment succeeded; confirmed`,
          data: { receipt: item.receipt, by: "payments:cleanup" },
        },
      ],
      "admin",
    );
    if (!r.changed) {
      result.skipped.push({ checkoutId: item.checkoutId, reason: `no longer failed (${r.status})` });
      continue;
    }
    result.confirmed++;
    const credit = await creditCheckout(item.checkoutId);
    if (credit.outcome === "credited") result.credited++;
    else if (credit.outcome === "not_creditable")
      result.skipped.push({ checkoutId: item.checkoutId, reason: `confirmed but not credited (${credit.exception ?? credit.status}: an admin decides)` });
  }
  if (plan.remove.length) {
    // The conditions again, so a payment that changed since the plan was printed stays.
    const { count } = await db.checkout.deleteMany({
      where: { id: { in: plan.remove.map((r) => r.checkoutId) }, rail: "mpesa", status: "failed", mpesa: { receiptNumber: null, sandbox: true } },
    });
    result.deleted = count;
    if (count < plan.remove.length)
      result.skipped.push({ checkoutId: "-", reason: `${plan.remove.length - count} test payment(s) changed since the summary and were kept` });
  }
  return result;
}

export function describePlan(plan: CleanupPlan, opts: CleanupOptions & { apply: boolean }): string[] {
  const lines = [
    `M-Pesa payments cleanup — ${opts.apply ? "APPLY" : "dry run (nothing changes; add --apply to act)"}${plan.cutoff ? `, only payments created before ${plan.cutoff.toISOString()} (--age-days ${opts.ageDays})` : ""}`,
    `  Failed payments WITH an M-Pesa receipt → confirm as paid and credit: ${plan.confirm.length}`,
    ...plan.confirm.map((c) => `    ${c.checkoutId}  receipt ${c.receipt}  KES ${c.amountKes}  ${c.credits} credits  (${c.createdAt.toISOString()})`),
    opts.deleteTests
      ? `  Failed test payments WITHOUT a receipt → delete: ${plan.remove.length}`
      : `  Failed test payments WITHOUT a receipt: ${plan.keptTests} (kept; add --delete-tests to delete them)`,
    ...plan.remove.map((r) => `    ${r.checkoutId}  (${r.createdAt.toISOString()})`),
  ];
  return lines;
}
