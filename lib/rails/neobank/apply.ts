import "server-only";
import { markProviderFailed, markProviderPaid, markProviderProcessing } from "@/lib/checkouts/provider";
import { db } from "@/lib/db/client";
import type { EventCause } from "@/lib/db/generated/enums";
import { log } from "@/lib/log";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import type { CreditOn } from "./config";
import { type PaymentStatusReport, reportedMinor, STATUS_RANK } from "./protocol";

// What a gateway status means for the checkout, whether it came by webhook or because we
// asked (observe). Every change goes through lib/checkouts/provider.ts, whose compare-and-set
// makes a repeated or out-of-order report a no-op:
//   PENDING → confirming · SUCCESS → paid (NEOBANK_CREDIT_ON=success) or confirming (settled)
//   SETTLED → paid · FAILED → failed with a message for the buyer · anything else → nothing.

export interface ApplyResult {
  changed: boolean;
  status: string;
  exception: string | null;
  /** Why nothing moved, when that is worth recording (the inbox row's note). */
  note?: string;
}

export const DECLINED_MESSAGE = "NEO Bank did not complete this payment, and no credits were added.";

export async function applyGatewayReport(
  checkoutId: string,
  report: PaymentStatusReport,
  opts: { cause: EventCause; creditOn: CreditOn; source: string; now?: Date },
): Promise<ApplyResult> {
  const c = await db.checkout.findUniqueOrThrow({
    where: { id: checkoutId },
    select: { status: true, exception: true, currency: true, expectedAmount: true, neobank: { select: { lastStatus: true } } },
  });
  const status = report.status;
  const tx = report.tx_id;
  const via = opts.cause === "webhook" ? "webhook" : "status query";
  await recordLastStatus(checkoutId, c.neobank?.lastStatus ?? null, status);

  const data = { txId: tx, gatewayStatus: status, source: opts.source };
  let outcome: { changed: boolean; status: string; exception: string | null };
  switch (status) {
    case "PENDING":
      outcome = await markProviderProcessing(checkoutId, { cause: opts.cause, message: `NEO Bank ${via}: payment ${tx} is pending`, data, now: opts.now });
      break;
    case "SUCCESS":
    case "SETTLED": {
      if (status === "SUCCESS" && opts.creditOn === "settled") {
        outcome = await markProviderProcessing(checkoutId, {
          cause: opts.cause,
          message: `NEO Bank ${via}: payment ${tx} succeeded; waiting for settlement (NEOBANK_CREDIT_ON=settled)`,
          data,
          now: opts.now,
        });
        break;
      }
      if (report.currency && report.currency.toUpperCase() !== c.currency) {
        await flag(checkoutId, `NEO Bank reported ${status} for ${tx} in ${report.currency}, but the checkout is priced in ${c.currency}`);
        return { changed: false, status: c.status, exception: c.exception, note: "currency mismatch: flagged for an admin" };
      }
      // The gateway confirms the payment we created for the expected amount; a report that
      // names a different amount is recorded as under/overpaid by markProviderPaid.
      const amount = reportedMinor(report) ?? c.expectedAmount;
      outcome = await markProviderPaid(checkoutId, {
        cause: opts.cause,
        amount,
        message: `NEO Bank ${via}: payment ${tx} ${status === "SETTLED" ? "settled" : "succeeded"}`,
        data: { ...data, amount: amount.toString() },
        now: opts.now,
      });
      break;
    }
    case "FAILED": {
      const reason = report.failure_reason?.trim() || null;
      outcome = await markProviderFailed(checkoutId, {
        cause: opts.cause,
        message: `NEO Bank ${via}: payment ${tx} failed${reason ? `: ${reason}` : ""}`,
        buyerMessage: reason ? `${DECLINED_MESSAGE} NEO Bank said: “${reason.slice(0, 200)}”` : DECLINED_MESSAGE,
        data: { ...data, reason },
        now: opts.now,
      });
      // A failure after the money was confirmed (a reversal) never moves the status back:
      // an admin decides.
      if (!outcome.changed && ["paid", "credited", "forwarded"].includes(outcome.status))
        await flag(checkoutId, `NEO Bank reported FAILED for ${tx} after it was ${outcome.status}${reason ? `: ${reason}` : ""}`);
      break;
    }
    default:
      return { changed: false, status: c.status, exception: c.exception, note: `status ${status} needs no action` };
  }
  if (outcome.changed) {
    // Activity runs the lifecycle now (credit, notify); paid is announced as the chain does.
    if (outcome.status === "paid") await emitEvent(EVENTS.paid, { checkoutId, source: `neobank-${opts.source}` });
    await emitEvent(EVENTS.activity, { checkoutId, source: `neobank-${opts.source}` });
  }
  return outcome;
}

/** lastStatus only ever moves forward (CREATED → PENDING → SUCCESS → SETTLED | FAILED). */
async function recordLastStatus(checkoutId: string, current: string | null, next: string): Promise<void> {
  if (!(next in STATUS_RANK) || current === next) return;
  if (current !== null && (STATUS_RANK[current] ?? -1) >= STATUS_RANK[next]!) return;
  await db.neobankPayment.updateMany({ where: { checkoutId, lastStatus: current ?? undefined }, data: { lastStatus: next } });
}

async function flag(checkoutId: string, reason: string): Promise<void> {
  log.warn({ checkoutId, reason }, "NEO Bank: checkout needs an admin");
  await db.checkout.update({ where: { id: checkoutId }, data: { needsAttention: true, attentionReason: reason.slice(0, 500) } });
}
