import "server-only";
import { lastAvailability } from "@/lib/availability";
import { db, type Prisma } from "@/lib/db/client";
import { QUEUED_TX } from "@/lib/db/retry";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { findActivePackage } from "@/lib/packages/packages";
import { enabledRail } from "@/lib/rails/registry";
import type { PackageSnapshot } from "@/lib/rails/types";
import { applyFacts } from "./apply";
import { assertCanStartCheckout, claimCheckoutSlot } from "./rate-limit";
import { SNAPSHOT_SELECT } from "./snapshot";
import { SETTLED_STATUSES } from "./statuses";

// The one constructor of checkouts, for every rail: the package snapshot, pricing through the
// rail (amount due in rail units and the locked rate), the clocks, the per-buyer limit (checked
// early and decided inside the insert's transaction), the
// row with its `created` timeline event (and, inside the same transaction, whatever the rail
// reserves: a fresh address), then the rail's start (talking to the provider), and finally
// the `satchel/checkout.created` outbox event that starts the lifecycle — on every rail.

export type NewCheckout = {
  rail: string;
  userId: string;
  /** Rail-specific buyer input from the buy form. */
  fields?: Record<string, string>;
  now?: Date;
} & (
  | {
      /** Package id or slug. */
      packageId: string;
      sessionId?: undefined;
    }
  | {
      /** A host's checkout session: its terms (package or own amount), rails, reference and metadata. */
      sessionId: string;
      packageId?: undefined;
    }
);

interface Terms {
  /** What the rail prices (a package, or the session's own amount as a package-shaped snapshot). */
  pkg: PackageSnapshot;
  packageId: string | null;
  sessionId: string | null;
  reference: string | null;
  metadata: Prisma.InputJsonValue | undefined;
}

/** A package's terms, or a host session's (whose customer must be this buyer, open, allowing this rail). */
async function termsOf(input: NewCheckout, railId: string, now: Date): Promise<Terms> {
  if (input.sessionId === undefined) {
    const pkg = await findActivePackage(input.packageId);
    if (!pkg) throw new AppError("not_found", "That package is not available.");
    return { pkg, packageId: pkg.id, sessionId: null, reference: null, metadata: undefined };
  }
  const s = await db.checkoutSession.findUnique({
    where: { id: input.sessionId },
    select: {
      id: true,
      packageId: true,
      description: true,
      credits: true,
      amountMinor: true,
      currency: true,
      rails: true,
      reference: true,
      metadata: true,
      expiresAt: true,
      customer: { select: { userId: true } },
      checkouts: { where: { status: { in: [...SETTLED_STATUSES] } }, select: { id: true }, take: 1 },
    },
  });
  if (!s || s.customer.userId !== input.userId) throw new AppError("not_found", "That checkout is not available.");
  if (s.checkouts.length > 0) throw new AppError("conflict", "This checkout is already paid.");
  if (s.expiresAt <= now) throw new AppError("conflict", "This checkout session has expired. Go back to the shop and start again.");
  if (s.rails.length > 0 && !s.rails.includes(railId)) throw new AppError("validation_failed", "This payment method is not offered for this checkout.");
  return {
    pkg: { id: s.packageId ?? s.id, slug: s.id, name: s.description, credits: s.credits, priceMinor: s.amountMinor, currency: s.currency },
    packageId: s.packageId,
    sessionId: s.id,
    reference: s.reference,
    metadata: s.metadata as Prisma.InputJsonValue,
  };
}

export interface CreatedCheckout {
  checkoutId: string;
  /** Interactive rails send the buyer to the provider; otherwise the checkout page. */
  redirectTo?: string;
}

export async function createCheckout(input: NewCheckout): Promise<CreatedCheckout> {
  const now = input.now ?? new Date();
  const rail = enabledRail(input.rail);
  // The last known answer only (no probe here): a rail whose backend is down is refused at once
  // instead of after the backend's timeouts.
  if (!lastAvailability(rail.id).up)
    throw new AppError("unavailable", `${rail.label} payments are unavailable right now. Try another way to pay, or try again in a few minutes.`);
  const terms = await termsOf(input, rail.id, now);
  const pkg = terms.pkg;
  await assertCanStartCheckout(input.userId, now);
  const prepared = await rail.prepare({ userId: input.userId, pkg, fields: input.fields ?? {}, now });

  const e = env();
  const expiresAt = new Date(now.getTime() + e.CHECKOUT_EXPIRY_MINUTES * 60_000);
  const monitorUntil = new Date(expiresAt.getTime() + e.MONITORING_HOURS * 3_600_000);
  const checkout = await db.$transaction(async (tx) => {
    // The per-buyer limit, decided atomically with the insert (rate-limit.ts).
    await claimCheckoutSlot(tx, input.userId, now);
    const reserved = rail.reserve ? await rail.reserve(tx, prepared) : null;
    const data = reserved?.data ?? prepared.data;
    return tx.checkout.create({
      data: {
        userId: input.userId,
        packageId: terms.packageId,
        sessionId: terms.sessionId,
        reference: terms.reference,
        ...(terms.metadata !== undefined ? { metadata: terms.metadata } : {}),
        packageName: pkg.name,
        credits: pkg.credits,
        priceMinor: pkg.priceMinor,
        currency: pkg.currency,
        rail: rail.id,
        expectedAmount: prepared.expectedAmount,
        amountUnit: prepared.amountUnit,
        rateValue: prepared.rate?.value ?? null,
        rateSource: prepared.rate?.source ?? null,
        rateAt: prepared.rate?.at ?? null,
        address: reserved?.address ?? prepared.address ?? null,
        derivationIndex: reserved?.derivationIndex ?? null,
        confirmationsRequired: prepared.confirmationsRequired ?? 0,
        expiresAt,
        monitorUntil,
        lastObservedAt: now,
        events: { create: { toStatus: "pending", cause: "buyer", message: prepared.describe, ...(data !== undefined ? { data } : {}) } },
      },
      select: SNAPSHOT_SELECT,
    });
    // A burst of starts queues on the limit's lock and for the pool: waiting is right.
  }, QUEUED_TX);

  let started: Awaited<ReturnType<NonNullable<typeof rail.start>>> = {};
  if (rail.start) started = await rail.start(checkout, prepared);
  if (started.externalRef) await db.checkout.updateMany({ where: { id: checkout.id, externalRef: null }, data: { externalRef: started.externalRef } });
  if (started.facts?.length) await applyFacts(checkout.id, started.facts, "system", { now });
  // After the commit: the lifecycle starts from this event (the outbox re-sends it if lost).
  await emitEvent(EVENTS.created, { checkoutId: checkout.id, source: "buyer" });
  if (started.error) throw started.error;
  return { checkoutId: checkout.id, ...(started.redirectTo ? { redirectTo: started.redirectTo } : {}) };
}
