import "server-only";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { creditInTx } from "@/lib/ledger/ledger";
import { CREDITABLE_EXCEPTIONS } from "@/lib/rails/bitcoin/evaluate";
import { compareAndSet } from "./transition";

// Crediting a paid checkout: paid → credited by compare-and-set and the ledger credit keyed
// `checkout:<id>:credit`, in one transaction. Retried steps, duplicate events and racing
// sweeps all end in exactly one ledger entry: the unique key and the status condition each
// make a second attempt a no-op, and either failing rolls the other back.

export const creditKey = (checkoutId: string) => `checkout:${checkoutId}:credit`;

export type CreditOutcome =
  | { outcome: "credited"; credits: number; entryId: string }
  | { outcome: "already_credited" }
  /** Not paid (yet), or paid with an exception an admin must decide. */
  | { outcome: "not_creditable"; status: string; exception: string | null };

const MAX_ATTEMPTS = 5;

export async function creditCheckout(checkoutId: string, now = new Date()): Promise<CreditOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const c = await tx.checkout.findUnique({
          where: { id: checkoutId },
          select: {
            id: true,
            version: true,
            userId: true,
            status: true,
            exception: true,
            credits: true,
            expectedAmount: true,
            receivedAmount: true,
            amountUnit: true,
          },
        });
        if (!c) throw new AppError("not_found", "No such checkout.");
        if (c.status === "credited" || c.status === "forwarded") return { outcome: "already_credited" } as const;
        if (c.status !== "paid" || !CREDITABLE_EXCEPTIONS.includes(c.exception))
          return { outcome: "not_creditable", status: c.status, exception: c.exception } as const;
        const excess = c.receivedAmount > c.expectedAmount ? c.receivedAmount - c.expectedAmount : 0n;
        const won = await compareAndSet(tx, c, { status: "credited", creditedAt: now }, [
          {
            fromStatus: "paid",
            toStatus: "credited",
            exception: c.exception,
            cause: "system",
            message: excess > 0n ? `${c.credits} credits added; ${excess} ${c.amountUnit} overpaid, recorded for an admin` : `${c.credits} credits added`,
            data: { credits: c.credits, excess: excess.toString() },
          },
        ]);
        if (!won) throw new LostRace();
        const entry = await creditInTx(tx, { userId: c.userId, amount: c.credits, idempotencyKey: creditKey(c.id), reason: "purchase", reference: c.id });
        return { outcome: "credited", credits: c.credits, entryId: entry.entryId } as const;
      });
    } catch (err) {
      // Someone else moved the checkout or wrote the entry first: look again.
      if ((err instanceof LostRace || isUniqueViolation(err)) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

class LostRace extends Error {}
