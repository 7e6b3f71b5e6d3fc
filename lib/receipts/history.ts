import "server-only";
import { db } from "@/lib/db/client";

/** A buyer's own checkouts, newest first (the /account payment history). */
export function paymentHistory(userId: string, take = 50) {
  return db.checkout.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, createdAt: true, rail: true, status: true, exception: true, packageName: true, credits: true, priceMinor: true, currency: true },
  });
}
