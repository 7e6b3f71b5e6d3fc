import "server-only";
import { db } from "@/lib/db/client";
import type { Fact } from "@/lib/rails/types";
import type { CreditOn } from "./config";
import { type PaymentStatusReport, reportedMinor, STATUS_RANK } from "./protocol";

// What a gateway status says about the checkout, whether it came by webhook or because we
// asked (observe), as facts for the checkout core (whose rule makes a repeated or
// out-of-order report a no-op, and flags a FAILED after the money was confirmed):
//   PENDING → processing · SUCCESS → paid (NEOBANK_CREDIT_ON=success) or processing (settled)
//   SETTLED → paid · FAILED → failed with a message for the buyer · anything else → nothing.

export const DECLINED_MESSAGE = "NEO Bank did not complete this payment, and no credits were added.";

export async function reportFacts(
  checkout: { id: string; currency: string; expectedAmount: bigint },
  report: PaymentStatusReport,
  opts: { via: "webhook" | "status query"; creditOn: CreditOn; source: string },
): Promise<{ facts: Fact[]; note?: string }> {
  const p = await db.neobankPayment.findUnique({ where: { checkoutId: checkout.id }, select: { lastStatus: true } });
  const status = report.status;
  const tx = report.tx_id;
  const via = opts.via;
  await recordLastStatus(checkout.id, p?.lastStatus ?? null, status);

  const data = { txId: tx, gatewayStatus: status, source: opts.source };
  switch (status) {
    case "PENDING":
      return { facts: [{ kind: "processing", message: `NEO Bank ${via}: payment ${tx} is pending`, data }] };
    case "SUCCESS":
    case "SETTLED": {
      if (status === "SUCCESS" && opts.creditOn === "settled")
        return {
          facts: [{ kind: "processing", message: `NEO Bank ${via}: payment ${tx} succeeded; waiting for settlement (NEOBANK_CREDIT_ON=settled)`, data }],
        };
      if (report.currency && report.currency.toUpperCase() !== checkout.currency)
        return {
          facts: [
            { kind: "attention", reason: `NEO Bank reported ${status} for ${tx} in ${report.currency}, but the checkout is priced in ${checkout.currency}` },
          ],
          note: "currency mismatch: flagged for an admin",
        };
      // The gateway confirms the payment we created for the expected amount; a report that
      // names a different amount is recorded as under/overpaid by the rule.
      const amount = reportedMinor(report) ?? checkout.expectedAmount;
      return {
        facts: [
          {
            kind: "paid",
            amount,
            ref: tx,
            message: `NEO Bank ${via}: payment ${tx} ${status === "SETTLED" ? "settled" : "succeeded"}`,
            data: { ...data, amount: amount.toString() },
          },
        ],
      };
    }
    case "FAILED": {
      const reason = report.failure_reason?.trim() || null;
      return {
        facts: [
          {
            kind: "failed",
            message: `NEO Bank ${via}: payment ${tx} failed${reason ? `: ${reason}` : ""}`,
            buyerMessage: reason ? `${DECLINED_MESSAGE} NEO Bank said: “${reason.slice(0, 200)}”` : DECLINED_MESSAGE,
            data: { ...data, reason },
          },
        ],
      };
    }
    default:
      return { facts: [], note: `status ${status} needs no action` };
  }
}

/** lastStatus only ever moves forward (CREATED → PENDING → SUCCESS → SETTLED | FAILED). */
async function recordLastStatus(checkoutId: string, current: string | null, next: string): Promise<void> {
  if (!(next in STATUS_RANK) || current === next) return;
  if (current !== null && (STATUS_RANK[current] ?? -1) >= STATUS_RANK[next]!) return;
  await db.neobankPayment.updateMany({ where: { checkoutId, lastStatus: current ?? undefined }, data: { lastStatus: next } });
}
