import "server-only";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Checkout creation per buyer is limited by counting their recent checkouts in the
// database: correct across any number of server instances, with no extra store.
export async function assertCanStartCheckout(userId: string, now = new Date()): Promise<void> {
  const limit = env().CHECKOUT_RATE_LIMIT_PER_HOUR;
  const since = new Date(now.getTime() - 60 * 60 * 1000);
  const recent = await db.checkout.count({ where: { userId, createdAt: { gte: since } } });
  if (recent >= limit) throw new AppError("rate_limited", `You have started ${recent} checkouts in the last hour. Please finish one or try again later.`);
}
