import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import type { CheckoutException, CheckoutStatus, EventCause, Rail } from "@/lib/db/generated/enums";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { findActivePackage, type PackageView } from "@/lib/packages/packages";
import { assertCanStartCheckout } from "./rate-limit";
import { compareAndSet, stampFor } from "./transition";

// Shared by the provider rails (M-Pesa, Interledger, NEO Bank): creating the checkout row
// with its package snapshot and clocks, and turning what a provider says — by webhook or
// when asked — into the same compare-and-set status changes Bitcoin uses. Every function
// here is safe to call twice with the same facts: the second call changes nothing.

export interface NewProviderCheckout {
  userId: string;
  packageId: string;
  rail: Exclude<Rail, "btc">;
  /** Amount due in the rail's unit, from the package price (see lib/money/amounts.ts). */
  amountFor: (pkg: PackageView) => Promise<{ expectedAmount: bigint; amountUnit: string; rate?: { value: string; source: string; at: Date } }>;
  now?: Date;
  /** Timeline message for the created event. */
  describe?: (pkg: PackageView, expectedAmount: bigint, amountUnit: string) => string;
}

export async function createProviderCheckout(input: NewProviderCheckout) {
  const now = input.now ?? new Date();
  const pkg = await findActivePackage(input.packageId);
  if (!pkg) throw new AppError("not_found", "That package is not available.");
  await assertCanStartCheckout(input.userId, now);
  const { expectedAmount, amountUnit, rate } = await input.amountFor(pkg);
  const e = env();
  const expiresAt = new Date(now.getTime() + e.CHECKOUT_EXPIRY_MINUTES * 60_000);
  const monitorUntil = new Date(expiresAt.getTime() + e.MONITORING_HOURS * 3_600_000);
  return db.checkout.create({
    data: {
      userId: input.userId,
      packageId: pkg.id,
      packageName: pkg.name,
      credits: pkg.credits,
      priceMinor: pkg.priceMinor,
      currency: pkg.currency,
      rail: input.rail,
      expectedAmount,
      amountUnit,
      rateValue: rate?.value ?? null,
      rateSource: rate?.source ?? null,
      rateAt: rate?.at ?? null,
      expiresAt,
      monitorUntil,
      lastObservedAt: now,
      events: {
        create: {
          toStatus: "pending",
          cause: "buyer",
          message: input.describe?.(pkg, expectedAmount, amountUnit) ?? `checkout started: ${expectedAmount} ${amountUnit} for ${pkg.name}`,
        },
      },
    },
    select: { id: true, expectedAmount: true, amountUnit: true, packageName: true, credits: true, expiresAt: true },
  });
}

/** Sets the provider's reference (CheckoutRequestID, gateway tx id…) once it is known. */
export async function setExternalRef(checkoutId: string, externalRef: string): Promise<void> {
  await db.checkout.updateMany({ where: { id: checkoutId, externalRef: null }, data: { externalRef } });
}

export interface ProviderFact {
  cause: EventCause;
  /** What the provider said, for the timeline (never secrets). */
  message: string;
  data?: Prisma.InputJsonValue;
  now?: Date;
}

type Outcome = { changed: boolean; status: CheckoutStatus; exception: CheckoutException | null };

const MOVABLE_TO_PAID: readonly CheckoutStatus[] = ["pending", "confirming", "expired", "failed"];

/**
 * The provider confirmed `amount` (rail units) arrived. pending/confirming → paid; a late
 * confirmation of a failed or expired checkout is paid too (the provider holds the money),
 * flagged paid_late when it came after the monitoring window. Short or excess amounts are
 * recorded as underpaid/overpaid exceptions; underpaid never credits automatically.
 */
export function markProviderPaid(checkoutId: string, fact: ProviderFact & { amount: bigint }): Promise<Outcome> {
  return withRetry(
    checkoutId,
    async (_tx, c, now) => {
      if (!MOVABLE_TO_PAID.includes(c.status)) return null;
      const exception: CheckoutException | null =
        fact.amount < c.expectedAmount ? "underpaid" : fact.amount > c.expectedAmount ? "overpaid" : now > c.monitorUntil ? "paid_late" : null;
      // Paid either way: the provider holds the money. An underpaid one waits for an admin
      // (creditCheckout only credits creditable exceptions).
      const status: CheckoutStatus = "paid";
      return {
        patch: { status, exception, receivedAmount: fact.amount, seenAt: c.seenAt ?? now, failureMessage: null, ...stampFor(status, now) },
        event: { fromStatus: c.status, toStatus: status, exception, cause: fact.cause, message: fact.message, data: fact.data },
      };
    },
    fact.now,
  );
}

/** The provider says the payment is under way (prompt accepted, grant approved…): pending → confirming. */
export function markProviderProcessing(checkoutId: string, fact: ProviderFact): Promise<Outcome> {
  return withRetry(
    checkoutId,
    async (_tx, c, now) => {
      if (c.status !== "pending") return null;
      return {
        patch: { status: "confirming", seenAt: c.seenAt ?? now },
        event: { fromStatus: c.status, toStatus: "confirming", exception: c.exception, cause: fact.cause, message: fact.message, data: fact.data },
      };
    },
    fact.now,
  );
}

/** The provider says the payment failed: pending/confirming → failed, with a message for the buyer. */
export function markProviderFailed(checkoutId: string, fact: ProviderFact & { buyerMessage: string }): Promise<Outcome> {
  return withRetry(
    checkoutId,
    async (_tx, c, now) => {
      if (c.status !== "pending" && c.status !== "confirming") return null;
      return {
        patch: { status: "failed", failureMessage: fact.buyerMessage, ...stampFor("failed", now) },
        event: { fromStatus: c.status, toStatus: "failed", exception: c.exception, cause: fact.cause, message: fact.message, data: fact.data },
      };
    },
    fact.now,
  );
}

type Current = {
  id: string;
  version: number;
  status: CheckoutStatus;
  exception: CheckoutException | null;
  expectedAmount: bigint;
  monitorUntil: Date;
  seenAt: Date | null;
};
type Decide = (
  tx: Prisma.TransactionClient,
  c: Current,
  now: Date,
) => Promise<{ patch: Prisma.CheckoutUpdateManyMutationInput; event: Parameters<typeof compareAndSet>[3][number] } | null>;

async function withRetry(checkoutId: string, decide: Decide, at?: Date): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const now = at ?? new Date();
    try {
      return await db.$transaction(async (tx) => {
        const c = await tx.checkout.findUnique({
          where: { id: checkoutId },
          select: { id: true, version: true, status: true, exception: true, expectedAmount: true, monitorUntil: true, seenAt: true },
        });
        if (!c) throw new AppError("not_found", "No such checkout.");
        const d = await decide(tx, c, now);
        if (!d) return { changed: false, status: c.status, exception: c.exception };
        if (!(await compareAndSet(tx, c, d.patch, [d.event]))) throw new LostRace();
        return { changed: true, status: d.event.toStatus, exception: d.event.exception };
      });
    } catch (err) {
      if ((err instanceof LostRace || isUniqueViolation(err)) && attempt < 5) continue;
      throw err;
    }
  }
}

class LostRace extends Error {}
