// Rows for the admin tests: checkouts in any state, straight into the database.
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";
import { createUser } from "@/test/factories";

export async function testPackage() {
  return db.creditPackage.upsert({
    where: { slug: "admin-test" },
    update: {},
    create: { slug: "admin-test", name: "Admin test", credits: 500, priceMinor: 2000, currency: "USD", active: false },
  });
}

export const rand = () => randomBytes(6).toString("hex");

export interface RowInput {
  userId?: string;
  rail?: string;
  status?: CheckoutStatus;
  exception?: CheckoutException | null;
  credits?: number;
  priceMinor?: number;
  currency?: string;
  expectedAmount?: bigint;
  receivedAmount?: bigint;
  createdAt?: Date;
  seenAt?: Date | null;
  creditedAt?: Date | null;
  address?: string | null;
  derivationIndex?: number | null;
  externalRef?: string | null;
  expiresAt?: Date;
  monitorUntil?: Date;
  needsAttention?: boolean;
}

export async function checkoutRow(r: RowInput = {}) {
  const pkg = await testPackage();
  const userId = r.userId ?? (await createUser()).id;
  const createdAt = r.createdAt ?? new Date();
  return db.checkout.create({
    data: {
      userId,
      packageId: pkg.id,
      packageName: "Medium",
      credits: r.credits ?? 500,
      priceMinor: r.priceMinor ?? 2000,
      currency: r.currency ?? "USD",
      rail: r.rail ?? "btc",
      status: r.status ?? "pending",
      exception: r.exception ?? null,
      expectedAmount: r.expectedAmount ?? 20_000n,
      receivedAmount: r.receivedAmount ?? 0n,
      amountUnit: (r.rail ?? "btc") === "btc" ? "sat" : (r.currency ?? "KES"),
      rateValue: "100000",
      rateSource: "fixed",
      rateAt: createdAt,
      address: r.address === undefined ? `bcrt1qtest${rand()}` : r.address,
      derivationIndex: r.derivationIndex ?? null,
      externalRef: r.externalRef ?? null,
      expiresAt: r.expiresAt ?? new Date(createdAt.getTime() + 3_600_000),
      monitorUntil: r.monitorUntil ?? new Date(createdAt.getTime() + 7_200_000),
      seenAt: r.seenAt ?? null,
      creditedAt: r.creditedAt ?? null,
      needsAttention: r.needsAttention ?? false,
      createdAt,
    },
  });
}
