// Small helpers for tests that need rows (through the app's own Prisma client).
import { randomBytes } from "node:crypto";

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}@test.local`;
}

export async function createUser(data: { email?: string; balance?: number; role?: "buyer" | "admin" } = {}) {
  const { db } = await import("@/lib/db/client");
  return db.user.create({
    data: { email: data.email ?? uniqueEmail(), role: data.role ?? "buyer", balance: data.balance ?? 0 },
    select: { id: true, email: true },
  });
}
