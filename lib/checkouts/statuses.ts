import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";

// The checkout's status sets, defined once. Every place that asks "is it open?", "is it still
// watched?", "can it be credited?" asks here — the rule (rule.ts), crediting (credit.ts), the
// lifecycle, the reconciler's selection, the page poll and admin actions alike.

/** The buyer may still pay, or a payment is waiting for confirmations. */
export const OPEN_STATUSES: readonly CheckoutStatus[] = ["pending", "confirming"];

/** Money was confirmed: the rail's facts can only add to it (an extra payment), never move it back. */
export const SETTLED_STATUSES: readonly CheckoutStatus[] = ["paid", "credited", "forwarded"];

/** Credits were added (forwarded is credited plus the hot-wallet sweep). */
export const CREDITED_STATUSES: readonly CheckoutStatus[] = ["credited", "forwarded"];

/** The buyer can no longer pay into it and nothing was credited: an admin may settle it. */
export const RESOLVABLE_STATUSES: readonly CheckoutStatus[] = ["expired", "failed", "paid"];

/** Exceptions that still let a paid checkout be credited automatically; the rest wait for an admin. */
export const CREDITABLE_EXCEPTIONS: readonly (CheckoutException | null)[] = [null, "overpaid", "multiple"];

export function isOpen(status: CheckoutStatus | string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export function isCredited(status: CheckoutStatus | string): boolean {
  return (CREDITED_STATUSES as readonly string[]).includes(status);
}

/** Still observed: open, or expired and inside the late-payment window (until monitorUntil). */
export function isWatched(c: { status: CheckoutStatus | string; monitorUntil: Date }, now: Date): boolean {
  return isOpen(c.status) || (c.status === "expired" && c.monitorUntil > now);
}

/**
 * Watched after crediting: a credited (or forwarded) checkout with an address stays observed
 * for WATCH_AFTER_CLOSE_DAYS, so money a wallet sends to a re-used address is recorded and a
 * reorg that takes the credited payment away is seen.
 */
export function isWatchedAfterCredit(
  c: { status: CheckoutStatus | string; address: string | null; creditedAt: Date | null },
  now: Date,
  days: number,
): boolean {
  return isCredited(c.status) && c.address !== null && c.creditedAt !== null && now.getTime() - c.creditedAt.getTime() < days * 86_400_000;
}

/**
 * How stale the observation of a checkout watched after crediting may get, by time since
 * crediting: [max time since crediting, every]. Cheap: an address is looked at 6 times an
 * hour on its first day, then hourly for a week, then 4 times a day.
 */
export const AFTER_CREDIT_POLICY: readonly (readonly [maxSinceMs: number, everyMs: number])[] = [
  [86_400_000, 600_000],
  [7 * 86_400_000, 3_600_000],
  [Number.POSITIVE_INFINITY, 6 * 3_600_000],
];

/** The crediting rule: paid, with no exception or one that still credits in full. */
export function isCreditable(c: { status: CheckoutStatus | string; exception: CheckoutException | string | null }): boolean {
  return c.status === "paid" && (CREDITABLE_EXCEPTIONS as readonly (string | null)[]).includes(c.exception);
}

/** The same rule as a Prisma filter, for selections (the reconciler). */
export function creditableWhere() {
  const named = CREDITABLE_EXCEPTIONS.filter((e): e is CheckoutException => e !== null);
  return {
    status: "paid" as const,
    OR: [...(CREDITABLE_EXCEPTIONS.includes(null) ? [{ exception: null }] : []), { exception: { in: named } }],
  };
}

/** Watched checkouts as a Prisma filter. */
export function watchedWhere(now: Date) {
  return { OR: [{ status: { in: [...OPEN_STATUSES] } }, { status: "expired" as const, monitorUntil: { gt: now } }] };
}
