import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { lockKey } from "@/lib/db/limit";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Checkout creation per buyer is limited by counting their checkouts of the last hour in the
// database: correct across any number of server instances, with no extra store. The count
// that decides runs inside the transaction that inserts the checkout, under an advisory lock
// on the buyer, so concurrent starts queue and cannot all pass a check made before any of
// them inserted. An early check (no lock) refuses a buyer who is already over the limit
// before the rail prices anything.

const HOUR_MS = 60 * 60 * 1000;

const refusal = (recent: number) =>
  new AppError("rate_limited", `You have started ${recent} checkouts in the last hour. Please finish one or try again later.`);

/** The early check, before pricing: refuses a buyer already at the limit. */
export async function assertCanStartCheckout(userId: string, now = new Date()): Promise<void> {
  const recent = await db.checkout.count({ where: { userId, createdAt: { gte: new Date(now.getTime() - HOUR_MS) } } });
  if (recent >= env().CHECKOUT_RATE_LIMIT_PER_HOUR) throw refusal(recent);
}

/** The deciding check, inside the transaction that creates the checkout: locks the buyer, counts, refuses at the limit. */
export async function claimCheckoutSlot(tx: Prisma.TransactionClient, userId: string, now = new Date()): Promise<void> {
  await lockKey(tx, `checkout-limit:${userId}`);
  const recent = await tx.checkout.count({ where: { userId, createdAt: { gte: new Date(now.getTime() - HOUR_MS) } } });
  if (recent >= env().CHECKOUT_RATE_LIMIT_PER_HOUR) throw refusal(recent);
}
