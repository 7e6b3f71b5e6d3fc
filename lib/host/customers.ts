import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";

// Customers of a host application, known by the host's own id (external_id). Each maps to a
// Satchel account without a password that holds the balance and the ledger. The account's
// email is a reserved `.invalid` address: an address the host hands us is stored on the
// customer, never used to sign anyone in, so a host cannot take over a Satchel account by
// naming its email.

export interface CustomerInput {
  externalId: string;
  email?: string | null;
  name?: string | null;
}

const select = { id: true, externalId: true, userId: true, email: true, name: true, createdAt: true, user: { select: { balance: true } } } as const;

export type CustomerRow = NonNullable<Awaited<ReturnType<typeof findCustomer>>>;

export function findCustomer(externalId: string) {
  return db.customer.findUnique({ where: { externalId }, select });
}

export async function requireCustomer(externalId: string): Promise<CustomerRow> {
  const c = await findCustomer(externalId);
  if (!c) throw new AppError("not_found", `No customer with external_id ${externalId}.`);
  return c;
}

/** The customer with this external_id, created on first use; email/name update when given. */
export async function upsertCustomer(input: CustomerInput): Promise<CustomerRow> {
  for (let attempt = 1; ; attempt++) {
    const existing = await findCustomer(input.externalId);
    if (existing) {
      const changes: { email?: string | null; name?: string | null } = {};
      if (input.email !== undefined && input.email !== existing.email) changes.email = input.email;
      if (input.name !== undefined && input.name !== existing.name) changes.name = input.name;
      if (Object.keys(changes).length === 0) return existing;
      return db.customer.update({ where: { id: existing.id }, data: changes, select });
    }
    try {
      return await db.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: { email: `customer-${randomBytes(10).toString("hex")}@customers.satchel.invalid`, name: input.name ?? null },
          select: { id: true },
        });
        return tx.customer.create({ data: { externalId: input.externalId, userId: user.id, email: input.email ?? null, name: input.name ?? null }, select });
      });
    } catch (err) {
      // A concurrent first request created it: read theirs.
      if (isUniqueViolation(err) && attempt < 3) continue;
      throw err;
    }
  }
}

export function customerView(c: CustomerRow) {
  return {
    object: "customer" as const,
    external_id: c.externalId,
    email: c.email,
    name: c.name,
    balance: c.user.balance,
    created_at: c.createdAt.toISOString(),
  };
}
