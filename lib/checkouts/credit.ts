import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus, EventCause } from "@/lib/db/generated/enums";
import { LostRace, QUEUED_TX, retryOnRace } from "@/lib/db/retry";
import { AppError } from "@/lib/errors";
import { creditInTx } from "@/lib/ledger/ledger";
import { logMoneyEvent } from "@/lib/money-log";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { isCreditable, isCredited } from "./statuses";
import { compareAndSet } from "./transition";

// Crediting, the one code that adds a checkout's credits — automatic (a paid checkout the
// crediting rule allows) or by an admin's resolution alike: the checkout moves to credited by
// compare-and-set and the ledger credit keyed `checkout:<id>:credit` is written in the same
// transaction. Retried steps, duplicate events, racing sweeps and admins all end in exactly
// one ledger entry: the unique key and the status condition each make a second attempt a
// no-op, and either failing rolls the other back.

export const creditKey = (checkoutId: string) => `checkout:${checkoutId}:credit`;

export type CreditOutcome =
  | { outcome: "credited"; credits: number; entryId: string }
  | { outcome: "already_credited" }
  /** Not paid (yet), or paid with an exception an admin must decide. */
  | { outcome: "not_creditable"; status: string; exception: string | null };

const creditSelect = {
  id: true,
  version: true,
  userId: true,
  status: true,
  exception: true,
  credits: true,
  expectedAmount: true,
  receivedAmount: true,
  amountUnit: true,
} as const;

export type CreditableRow = { id: string; version: number; userId: string; status: CheckoutStatus; exception: CheckoutException | null };

/**
 * Inside the caller's transaction: moves the checkout to credited and writes the ledger
 * credit. Throws LostRace when the checkout changed since it was read.
 */
export async function creditInCore(
  tx: Prisma.TransactionClient,
  c: CreditableRow,
  credit: { credits: number; cause: EventCause; message: string; data?: Prisma.InputJsonValue; patch?: Prisma.CheckoutUpdateManyMutationInput; now: Date },
): Promise<{ entryId: string }> {
  const won = await compareAndSet(tx, c, { status: "credited", creditedAt: credit.now, ...credit.patch }, [
    { fromStatus: c.status, toStatus: "credited", exception: c.exception, cause: credit.cause, message: credit.message, data: credit.data },
  ]);
  if (!won) throw new LostRace();
  // A host's plain payment (a session with 0 credits) is credited without a ledger movement.
  if (credit.credits === 0) return { entryId: "" };
  const entry = await creditInTx(tx, { userId: c.userId, amount: credit.credits, idempotencyKey: creditKey(c.id), reason: "purchase", reference: c.id });
  return { entryId: entry.entryId };
}

/** After a credit committed: announce it (the lifecycle and host integrations listen). */
export async function announceCredited(checkoutId: string, source: string): Promise<void> {
  await logMoneyEvent("credited", checkoutId, { source });
  await emitEvent(EVENTS.credited, { checkoutId, source });
}

export async function creditCheckout(checkoutId: string, now = new Date()): Promise<CreditOutcome> {
  const r = await retryOnRace(() =>
    db.$transaction(async (tx): Promise<CreditOutcome> => {
      const c = await tx.checkout.findUnique({ where: { id: checkoutId }, select: creditSelect });
      if (!c) throw new AppError("not_found", "No such checkout.");
      if (isCredited(c.status)) return { outcome: "already_credited" };
      if (!isCreditable(c)) return { outcome: "not_creditable", status: c.status, exception: c.exception };
      const excess = c.receivedAmount > c.expectedAmount ? c.receivedAmount - c.expectedAmount : 0n;
      const { entryId } = await creditInCore(tx, c, {
        credits: c.credits,
        cause: "system",
        message: excess > 0n ? `${c.credits} credits added; ${excess} ${c.amountUnit} overpaid, recorded for an admin` : `${c.credits} credits added`,
        data: { credits: c.credits, excess: excess.toString() },
        now,
      });
      return { outcome: "credited", credits: c.credits, entryId };
    }, QUEUED_TX),
  );
  if (r.outcome === "credited") await announceCredited(checkoutId, "lifecycle");
  return r;
}
