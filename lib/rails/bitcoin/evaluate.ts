// The Bitcoin checkout state machine, as a pure function: given what the chain shows for a
// checkout's address and the time, what should the checkout's status, exception and
// amounts be? lib/rails/bitcoin/observe.ts feeds it and applies the answer with a
// compare-and-set. Keeping it pure makes every transition a row in a table test.
//
//   pending ──payment seen──▶ confirming ──enough, N confirmations──▶ paid
//      │                          │
//      └──nothing by expiresAt──▶ expired ◀──not enough by expiresAt / never confirmed
//
// Exceptions sit beside the status and never lose money: every output stays recorded.

import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";

export interface OutputView {
  sats: bigint;
  /** Null while unconfirmed. */
  blockHeight: number | null;
  /** When we first saw it, or its block's time if that is earlier. */
  seenAt: Date;
  /** False once it left the chain (reorged out and dropped, double-spent). */
  live: boolean;
}

export interface CheckoutFacts {
  status: CheckoutStatus;
  exception: CheckoutException | null;
  expectedSats: bigint;
  /** PAYMENT_TOLERANCE_PERCENT in basis points (1% = 100). */
  toleranceBps: number;
  confirmationsRequired: number;
  expiresAt: Date;
  monitorUntil: Date;
}

export interface Evaluation {
  status: CheckoutStatus;
  exception: CheckoutException | null;
  receivedSats: bigint;
  /** Confirmations of the least-confirmed live output (0 if any is unconfirmed, or none). */
  confirmations: number;
  /** Why the status or exception changed, for the timeline; null when neither did. */
  reason: string | null;
  cause: "chain" | "expiry";
}

/** Statuses the chain can no longer move (crediting, forwarding and admins take over). */
export const SETTLED_STATUSES: readonly CheckoutStatus[] = ["paid", "credited", "forwarded", "failed"];

/** Exceptions that still let a paid checkout be credited automatically. */
export const CREDITABLE_EXCEPTIONS: readonly (CheckoutException | null)[] = [null, "overpaid", "multiple"];

export function confirmationsOf(o: Pick<OutputView, "blockHeight">, tipHeight: number): number {
  return o.blockHeight === null ? 0 : Math.max(0, tipHeight - o.blockHeight + 1);
}

/** The lowest amount accepted as full payment: expected minus the tolerance (slack rounded down, so never more than configured). */
export function minimumAccepted(expected: bigint, toleranceBps: number): bigint {
  return expected - (expected * BigInt(toleranceBps)) / 10_000n;
}

export function evaluate(c: CheckoutFacts, outputs: OutputView[], tipHeight: number, now: Date): Evaluation {
  const live = outputs.filter((o) => o.live);
  const sum = (list: OutputView[]) => list.reduce((total, o) => total + o.sats, 0n);
  const received = sum(live);
  const confirmations = live.length ? Math.min(...live.map((o) => confirmationsOf(o, tipHeight))) : 0;
  const expired = now >= c.expiresAt;
  const windowOver = now >= c.monitorUntil;
  const onTime = live.filter((o) => o.seenAt < c.expiresAt);
  const minimum = minimumAccepted(c.expectedSats, c.toleranceBps);
  const enough = sum(onTime) >= minimum;
  const allConfirmed = live.length > 0 && confirmations >= c.confirmationsRequired;
  const over = received > c.expectedSats + (c.expectedSats - minimum);
  const lost = outputs.some((o) => !o.live);

  const to = (status: CheckoutStatus, exception: CheckoutException | null, reason: string, cause: Evaluation["cause"] = "chain"): Evaluation => {
    const changed = status !== c.status || exception !== c.exception;
    return { status, exception, receivedSats: received, confirmations, reason: changed ? reason : null, cause };
  };

  // Once paid, the chain can only add facts: an extra payment shows as overpaid.
  if (SETTLED_STATUSES.includes(c.status)) return to(c.status, c.exception ?? (over ? "overpaid" : null), "more arrived after the checkout was paid");

  if (c.status === "expired") {
    if (c.exception === null && live.length > 0 && !windowOver) return to("expired", "paid_late", "a payment arrived after the checkout expired");
    return to("expired", c.exception, "");
  }

  // pending or confirming
  if (live.length === 0) {
    if (expired)
      return lost
        ? to("expired", "invalid", "the payment left the chain and the checkout expired", "expiry")
        : to("expired", null, "nothing was paid before the checkout expired", "expiry");
    if (c.status === "confirming") return to("pending", "invalid", "the payment left the chain (reorged out or double-spent)");
    return to("pending", c.exception, "");
  }
  if (onTime.length === 0) return to("expired", "paid_late", "a payment arrived after the checkout expired", "expiry");
  if (enough && allConfirmed) {
    const exception = over ? "overpaid" : live.length > 1 ? "multiple" : null;
    return to("paid", exception, `payment confirmed (${confirmations} confirmations)`);
  }
  if (!enough && expired) return to("expired", "underpaid", "less than the amount due arrived before the checkout expired", "expiry");
  if (windowOver) return to("expired", "invalid", "the payment was not confirmed within the monitoring window", "expiry");
  return enough ? to("confirming", null, "payment seen, waiting for confirmations") : to("confirming", "underpaid", "part of the amount due was paid");
}
