// THE rule: given what has arrived for a checkout (its payments), what the provider said
// besides (processing, failed, forwarded), and the time, what should the checkout's status,
// exception and amounts be? One pure function for every rail, so PAYMENT_TOLERANCE_PERCENT,
// overpaid, paid late, multiple and invalid mean the same on Bitcoin, M-Pesa, NEO Bank,
// Interledger and any rail added later. applyFacts (apply.ts) feeds it and writes the answer
// with a compare-and-set; keeping it pure makes every transition a row in a table test.
//
//   pending ──payment seen──▶ confirming ──enough, confirmed──▶ paid ──credit──▶ credited ─▶ forwarded
//      │   ╲provider: processing╱  │
//      ├──provider: failed──▶ failed      (a later confirmed payment still makes it paid)
//      └──nothing by expiresAt──▶ expired ◀──not enough by expiresAt / never confirmed
//
// Two kinds of payment:
//   - chain outputs (final: false): they add up, need confirmations, may leave the chain, and
//     more may arrive (a top-up) until the checkout expires;
//   - a provider's confirmed payment (final: true): the one payment of a one-shot prompt,
//     gateway payment or grant. It is confirmed and complete when reported, and the buyer
//     started it inside the checkout, so it counts even when the report comes after expiry
//     or after a failure (the provider holds the money); after the monitoring window it is
//     flagged paid late. Short of the amount (beyond the tolerance) it is paid + underpaid:
//     nothing can top it up, so an admin decides.
// Exceptions sit beside the status and never lose money: every unit received stays recorded.
// After crediting, money paid to the address again is paid_after_credit, and a credited
// payment that leaves the chain is reversed; the status stays credited (an admin decides).

import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";
import { isCredited, isOpen, SETTLED_STATUSES } from "./statuses";

export interface RuleCheckout {
  status: CheckoutStatus;
  exception: CheckoutException | null;
  /** Amount due in rail units. */
  expectedAmount: bigint;
  /** PAYMENT_TOLERANCE_PERCENT in basis points (1% = 100). */
  toleranceBps: number;
  confirmationsRequired: number;
  expiresAt: Date;
  monitorUntil: Date;
  /** When credits were added (credited and forwarded checkouts). */
  creditedAt?: Date | null;
}

export interface Payment {
  amount: bigint;
  /** Chain confirmations (0 while unconfirmed); provider payments are confirmed by definition. */
  confirmations: number;
  /** When it was first seen, or its block's time if earlier. */
  seenAt: Date;
  /** False once it left the chain (reorged out and dropped, double-spent). */
  live: boolean;
  /** A provider's one and only payment for this checkout (see above). */
  final: boolean;
  /** When Satchel first recorded it (chain outputs): after creditedAt ⇒ paid after crediting. */
  firstSeenAt?: Date;
  /** When it was first missed on the chain (not live). */
  goneAt?: Date;
}

export interface Signals {
  /** The provider says the payment is under way (prompt accepted, grant approved…). */
  processing?: boolean;
  /** The provider says the payment failed. */
  failed?: boolean;
  /** The hot-wallet sweep of a credited checkout confirmed. */
  forwarded?: boolean;
}

export interface Decision {
  status: CheckoutStatus;
  exception: CheckoutException | null;
  received: bigint;
  /** Confirmations of the least-confirmed live payment (0 if any is unconfirmed, or none). */
  confirmations: number;
  /** Why the status or exception changed, for the timeline; null when neither did. */
  reason: string | null;
  /** "expiry" when the clock decided; "fact" when a provider's statement did (its own words go on the timeline). */
  by: "rule" | "expiry" | "fact";
  /** Needs an admin without a status change (e.g. the provider said failed after the money was confirmed). */
  flag?: string;
}

/** The lowest amount accepted as full payment: expected minus the tolerance (slack rounded down, so never more than configured). */
export function minimumAccepted(expected: bigint, toleranceBps: number): bigint {
  return expected - (expected * BigInt(toleranceBps)) / 10_000n;
}

export function confirmationsOf(blockHeight: number | null, tipHeight: number): number {
  return blockHeight === null ? 0 : Math.max(0, tipHeight - blockHeight + 1);
}

export function decide(c: RuleCheckout, payments: Payment[], now: Date, signals: Signals = {}): Decision {
  const live = payments.filter((p) => p.live);
  const sum = (list: Payment[]) => list.reduce((total, p) => total + p.amount, 0n);
  const received = sum(live);
  const confirmations = live.length ? Math.min(...live.map((p) => p.confirmations)) : 0;
  const expired = now >= c.expiresAt;
  const windowOver = now >= c.monitorUntil;
  const minimum = minimumAccepted(c.expectedAmount, c.toleranceBps);
  const over = received > c.expectedAmount + (c.expectedAmount - minimum);
  const lost = payments.some((p) => !p.live);

  const to = (status: CheckoutStatus, exception: CheckoutException | null, reason: string, by: Decision["by"] = "rule", flag?: string): Decision => {
    const changed = status !== c.status || exception !== c.exception;
    return { status, exception, received, confirmations, reason: changed ? reason : null, by, ...(flag ? { flag } : {}) };
  };
  const same = (flag?: string) => to(c.status, c.exception, "", "rule", flag);

  // After crediting, only the hot-wallet sweep moves the status.
  if (signals.forwarded) return c.status === "credited" ? to("forwarded", c.exception, "forwarded", "fact") : same();

  // A provider saying "failed" never takes confirmed money back: an admin looks instead.
  if (signals.failed && SETTLED_STATUSES.includes(c.status)) return same(`the provider said FAILED after the checkout was ${c.status}`);

  const final = live.find((p) => p.final);
  if (final) {
    // The same payment reported again changes nothing once it counted.
    if (SETTLED_STATUSES.includes(c.status)) return same();
    const exception: CheckoutException | null = received < minimum ? "underpaid" : over ? "overpaid" : now > c.monitorUntil ? "paid_late" : null;
    return to("paid", exception, "the provider confirmed the payment", "fact");
  }

  // After crediting the status stays (the credits were given); what the chain does next is
  // an exception for an admin: money paid to the address again, or the credited payment
  // taken away by a reorg deeper than the confirmations required.
  if (isCredited(c.status) && c.creditedAt) {
    const at = c.creditedAt;
    if (payments.some((p) => !p.live && p.goneAt && p.goneAt > at)) return to(c.status, "reversed", "a credited payment left the chain after crediting");
    if (c.exception !== "reversed" && live.some((p) => p.firstSeenAt && p.firstSeenAt > at))
      return to(c.status, "paid_after_credit", "a payment arrived after the checkout was credited");
  }

  // Once paid, the chain can only add facts: an extra payment shows as overpaid.
  if (SETTLED_STATUSES.includes(c.status)) return to(c.status, c.exception ?? (over ? "overpaid" : null), "more arrived after the checkout was paid");
  if (c.status === "failed") return same();

  if (c.status === "expired") {
    if (c.exception === null && live.length > 0 && !windowOver) return to("expired", "paid_late", "a payment arrived after the checkout expired");
    return same();
  }

  // pending or confirming
  if (signals.failed && isOpen(c.status) && live.length === 0) return to("failed", c.exception, "the provider reported the payment failed", "fact");
  if (live.length === 0) {
    if (expired)
      return lost
        ? to("expired", "invalid", "the payment left the chain and the checkout expired", "expiry")
        : to("expired", null, "nothing was paid before the checkout expired", "expiry");
    if (lost && c.status === "confirming") return to("pending", "invalid", "the payment left the chain (reorged out or double-spent)");
    if (signals.processing && c.status === "pending") return to("confirming", c.exception, "the provider is processing the payment", "fact");
    return same();
  }
  const onTime = live.filter((p) => p.seenAt < c.expiresAt);
  const enough = sum(onTime) >= minimum;
  const allConfirmed = confirmations >= c.confirmationsRequired;
  if (onTime.length === 0) return to("expired", "paid_late", "a payment arrived after the checkout expired", "expiry");
  if (enough && allConfirmed) {
    const exception = over ? "overpaid" : live.length > 1 ? "multiple" : null;
    return to("paid", exception, `payment confirmed (${confirmations} confirmations)`);
  }
  if (!enough && expired) return to("expired", "underpaid", "less than the amount due arrived before the checkout expired", "expiry");
  if (windowOver) return to("expired", "invalid", "the payment was not confirmed within the monitoring window", "expiry");
  return enough ? to("confirming", null, "payment seen, waiting for confirmations") : to("confirming", "underpaid", "part of the amount due was paid");
}
