import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { CheckoutSnapshot } from "@/lib/rails/types";

// The one read of a checkout that an operation hands to the rail and to the lifecycle, so
// nothing downstream reads the same row again just to learn its status or address.

export const SNAPSHOT_SELECT = {
  id: true,
  userId: true,
  rail: true,
  status: true,
  exception: true,
  packageId: true,
  sessionId: true,
  packageName: true,
  credits: true,
  priceMinor: true,
  currency: true,
  expectedAmount: true,
  receivedAmount: true,
  amountUnit: true,
  address: true,
  externalRef: true,
  createdAt: true,
  expiresAt: true,
  monitorUntil: true,
  creditedAt: true,
  lastObservedAt: true,
  notifiedAt: true,
} as const;

export async function loadSnapshot(checkoutId: string): Promise<CheckoutSnapshot> {
  const c = await db.checkout.findUnique({ where: { id: checkoutId }, select: SNAPSHOT_SELECT });
  if (!c) throw new AppError("not_found", "No such checkout.");
  return c;
}
