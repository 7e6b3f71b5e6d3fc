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
// A report that does not fit the checkout is flagged for an admin and applied in no part: a
// reference other than the checkout's id, another currency, an amount that is not a plain
// amount of the currency ("5.001", "-5.00", "1e3"), or a success after the gateway already
// said FAILED for the same payment (two final answers that contradict each other).

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
  const flag = (reason: string, note: string) => ({ facts: [{ kind: "attention" as const, reason: `NEO Bank ${via} for ${tx}: ${reason}` }], note });
  if (report.reference !== undefined && report.reference !== checkout.id)
    return flag(
      `reference ${JSON.stringify(report.reference.slice(0, 100))} is not this checkout (${checkout.id}); not applied`,
      "reference mismatch: flagged",
    );
  const success = status === "SUCCESS" || status === "SETTLED";
  if (success && p?.lastStatus === "FAILED")
    return flag(`${status} after the gateway already reported FAILED; not applied — check the payment with NEO Bank`, "out-of-order final status: flagged");
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
      const named = reportedMinor(report);
      if (named === "invalid")
        return flag(
          `${status} names the amount ${JSON.stringify(String(report.amount).slice(0, 40))}${report.amount_minor !== undefined ? ` / ${report.amount_minor} minor units` : ""}, which is not a valid ${checkout.currency} amount; not applied`,
          "invalid amount: flagged",
        );
      const amount = named === "absent" ? checkout.expectedAmount : named;
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
