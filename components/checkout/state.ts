import type { CheckoutView } from "@/lib/checkouts/view";

// What the buyer's checkout page shows, decided from the checkout view alone (pure, so every
// status × exception × rail is a row in components/checkout/state.test.ts). One design for
// every rail: instructions while money is due, "Payment received" the moment it is seen,
// only the remainder after an underpayment, a result screen for every way a checkout ends.

export type StepState = "done" | "current" | "todo" | "error" | "warn";
export type StepKey = "awaiting" | "received" | "underpaid" | "confirming" | "processing" | "paid" | "credited" | "failed" | "expired" | "paidLate" | "invalid";
export interface Step {
  key: StepKey;
  state: StepState;
}

/**
 * pay       — nothing received yet: the rail's instructions.
 * remainder — part arrived, the rest is due: only the remainder is asked for.
 * received  — everything due was seen: "Payment received — waiting for N confirmations".
 * paid      — confirmed, credits being added.
 * credited  — done.
 * failed / expired / paidLate / invalid — result screens (what happened, what to do, the money).
 */
export type Phase = "pay" | "remainder" | "received" | "paid" | "credited" | "failed" | "expired" | "expiredUnderpaid" | "paidLate" | "invalid";

export type ScreenInput = Pick<
  CheckoutView,
  "rail" | "status" | "exception" | "expectedAmount" | "receivedAmount" | "remainingAmount" | "confirmations" | "confirmationsRequired" | "seenAt" | "outputs"
>;

export interface Screen {
  phase: Phase;
  /** Rail units still asked for (the full amount, or the remainder), null when nothing is asked. */
  due: string | null;
  /** A second payment, or more than the price: the page names the total and what happens to the excess. */
  excess: { total: string; extra: string; payments: number } | null;
  /** The payment left the chain while the checkout is still open (reorged out, double-spent). */
  lostPayment: boolean;
  /** Confirmations to show ("2 of 3"), Bitcoin only, once everything due was seen. */
  confirming: { n: number; of: number } | null;
  steps: Step[];
  /** Still waiting on the buyer or the network: the page keeps polling and shows the countdown. */
  open: boolean;
}

const big = (s: string) => BigInt(s);

export function checkoutScreen(c: ScreenInput): Screen {
  const expected = big(c.expectedAmount);
  const received = big(c.receivedAmount);
  const remaining = big(c.remainingAmount);
  const livePayments = c.outputs.filter((o) => !o.gone).length;
  const payments = c.rail === "btc" ? livePayments : received > 0n ? 1 : 0;
  const excess =
    received > expected || payments > 1 ? { total: received.toString(), extra: (received > expected ? received - expected : 0n).toString(), payments } : null;
  const btc = c.rail === "btc";
  const seen = received > 0n || (c.seenAt !== null && c.exception !== "invalid");
  const open = c.status === "pending" || c.status === "confirming";
  const n = Math.min(c.confirmations, c.confirmationsRequired);

  const tracker = (steps: [StepKey, StepState][]): Step[] => steps.map(([key, state]) => ({ key, state }));
  const middle: StepKey = btc ? "received" : "processing";
  const base = { excess, lostPayment: false, confirming: null, open };

  if (c.status === "credited" || c.status === "forwarded")
    return {
      ...base,
      phase: "credited",
      due: null,
      steps: tracker(
        btc
          ? [
              ["awaiting", "done"],
              ["received", "done"],
              ["confirming", "done"],
              ["credited", "done"],
            ]
          : [
              ["awaiting", "done"],
              [middle, "done"],
              ["credited", "done"],
            ],
      ),
    };
  if (c.status === "paid")
    return {
      ...base,
      phase: "paid",
      due: null,
      steps: tracker(
        btc
          ? [
              ["awaiting", "done"],
              ["received", "done"],
              ["confirming", "done"],
              ["paid", "current"],
            ]
          : [
              ["awaiting", "done"],
              [middle, "done"],
              ["paid", "current"],
            ],
      ),
    };
  if (c.status === "failed")
    return {
      ...base,
      phase: "failed",
      due: null,
      steps: tracker(
        seen
          ? [
              ["awaiting", "done"],
              ["failed", "error"],
            ]
          : [["failed", "error"]],
      ),
    };
  if (c.status === "expired") {
    if (c.exception === "underpaid")
      return {
        ...base,
        phase: "expiredUnderpaid",
        due: null,
        steps: tracker([
          ["awaiting", "done"],
          ["underpaid", "warn"],
          ["expired", "error"],
        ]),
      };
    if (c.exception === "paid_late")
      return {
        ...base,
        phase: "paidLate",
        due: null,
        steps: tracker([
          ["expired", "error"],
          ["paidLate", "warn"],
        ]),
      };
    if (c.exception === "invalid")
      return {
        ...base,
        phase: "invalid",
        due: null,
        steps: tracker([
          ["awaiting", "done"],
          ["invalid", "error"],
          ["expired", "error"],
        ]),
      };
    return { ...base, phase: "expired", due: null, steps: tracker([["expired", "error"]]) };
  }

  // Open: pending or confirming.
  const lostPayment = c.exception === "invalid";
  const rest: [StepKey, StepState][] = btc
    ? [
        ["confirming", "todo"],
        ["paid", "todo"],
      ]
    : [["paid", "todo"]];
  if (received === 0n)
    return { ...base, lostPayment, phase: "pay", due: expected.toString(), steps: tracker([["awaiting", "current"], [middle, "todo"], ...rest]) };
  if (remaining > 0n)
    return { ...base, lostPayment, phase: "remainder", due: remaining.toString(), steps: tracker([["awaiting", "done"], ["underpaid", "warn"], ...rest]) };
  return {
    ...base,
    lostPayment,
    phase: "received",
    due: null,
    confirming: btc ? { n, of: c.confirmationsRequired } : null,
    steps: tracker(
      btc
        ? [
            ["awaiting", "done"],
            ["received", "done"],
            ["confirming", "current"],
            ["paid", "todo"],
          ]
        : [
            ["awaiting", "done"],
            ["processing", "current"],
            ["paid", "todo"],
          ],
    ),
  };
}
