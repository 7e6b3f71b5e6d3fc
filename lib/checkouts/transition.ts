import "server-only";
import type { Prisma } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus, EventCause } from "@/lib/db/generated/enums";

// Every status change of a checkout goes through here: a compare-and-set on the version the
// caller read, and a timeline event in the same transaction. A caller that lost the race
// (count 0) re-reads and decides again; nothing is ever applied twice.

type Tx = Prisma.TransactionClient;

export interface TimelineEvent {
  fromStatus: CheckoutStatus | null;
  toStatus: CheckoutStatus;
  exception: CheckoutException | null;
  cause: EventCause;
  message: string;
  data?: Prisma.InputJsonValue;
}

/** Applies `patch` if the checkout is still at `version`; returns false when it was not. */
export async function compareAndSet(
  tx: Tx,
  checkout: { id: string; version: number },
  patch: Prisma.CheckoutUpdateManyMutationInput,
  events: TimelineEvent[],
): Promise<boolean> {
  const { count } = await tx.checkout.updateMany({
    where: { id: checkout.id, version: checkout.version },
    data: { ...patch, version: { increment: 1 } },
  });
  if (count === 0) return false;
  if (events.length) await tx.checkoutEvent.createMany({ data: events.map((e) => ({ checkoutId: checkout.id, ...e })) });
  return true;
}

/** The timestamp column that records when a checkout entered a status. */
export function stampFor(status: CheckoutStatus, now: Date): Prisma.CheckoutUpdateManyMutationInput {
  switch (status) {
    case "paid":
      return { paidAt: now };
    case "credited":
      return { creditedAt: now };
    case "forwarded":
      return { forwardedAt: now };
    case "expired":
      return { expiredAt: now };
    case "failed":
      return { failedAt: now };
    default:
      return {};
  }
}
