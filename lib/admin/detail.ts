import "server-only";
import { creditKey } from "@/lib/checkouts/credit";
import { isCredited } from "@/lib/checkouts/statuses";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { railFor } from "@/lib/rails/registry";
import { refundKey } from "@/lib/receipts/receipt";
import { refundsOf, refundWalletAddress } from "@/lib/refunds/refunds";

// Everything an admin needs to understand one checkout: the row, its full timeline, every
// chain output, related webhook deliveries, ledger entries, the sweep, the resolution and
// the audit trail; plus which actions make sense right now.

export function explorerTxUrl(txid: string): string | null {
  const template = env().EXPLORER_TX_URL;
  return template ? template.replaceAll("{txid}", encodeURIComponent(txid)) : null;
}

/** Pretty-prints a webhook body when it is JSON; leaves anything else (form posts, XML) as sent. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export async function paymentDetail(id: string) {
  const c = await db.checkout.findUnique({
    where: { id },
    include: {
      user: { select: { id: true, email: true, name: true, balance: true } },
      events: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
      outputs: { orderBy: { firstSeenAt: "asc" } },
      sweeps: {
        orderBy: { seq: "asc" },
        select: {
          seq: true,
          txid: true,
          feeSats: true,
          amountSats: true,
          feeRate: true,
          toAddress: true,
          createdAt: true,
          broadcastAt: true,
          confirmedAt: true,
          attempts: true,
          error: true,
          inputs: true,
          batchId: true,
          batch: {
            select: {
              txid: true,
              feeSats: true,
              amountSats: true,
              vsize: true,
              inputs: true,
              error: true,
              _count: { select: { parts: true } },
              replaces: { select: { txid: true, feeRate: true } },
            },
          },
        },
      },
      sweepWait: true,
      inbox: { orderBy: { receivedAt: "asc" } },
    },
  });
  if (!c) return null;
  const [ledger, resolution, audit, refunds] = await Promise.all([
    db.ledgerEntry.findMany({ where: { reference: id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    db.checkoutResolution.findUnique({ where: { checkoutId: id } }),
    db.auditLog.findMany({ where: { targetType: "checkout", targetId: id }, orderBy: { createdAt: "desc" }, include: { actor: { select: { email: true } } } }),
    refundsOf(id),
  ]);
  // Refunds of money: at most what arrived, less what refunds already give back.
  const moneyRefunded = refunds.reduce((n, r) => n + r.amount, 0n);
  const refundableLeft = c.receivedAmount - moneyRefunded;
  // The part of the payment beyond the price (an overpayment, money paid after crediting): the form's default.
  const excess = c.receivedAmount > c.expectedAmount ? c.receivedAmount - c.expectedAmount - moneyRefunded : 0n;
  const credited = ledger.some((e) => e.idempotencyKey === creditKey(id));
  const refunded = ledger.some((e) => e.idempotencyKey === refundKey(id));
  const settled = isCredited(c.status);
  const resolvable = !resolution && !settled && ["expired", "failed", "paid"].includes(c.status);
  const can = {
    recheck: true,
    resolve: resolvable,
    // Crediting the full package needs some money to have arrived (resolveCheckout refuses it too).
    creditFull: resolvable && c.receivedAmount > 0n,
    refund: settled && credited && !refunded,
    // Only where the rail sweeps after crediting (Bitcoin hot-wallet mode); in watch-only mode the
    // money is already in the merchant's wallet and there is nothing to forward.
    forward: c.status === "credited" && c.derivationIndex !== null && Boolean(railFor(c.rail).afterCredit?.applies()),
    /** A batched sweep broadcast but not confirmed: an RBF bump can replace it. */
    bumpFee: Boolean(railFor(c.rail).afterCredit?.applies()) && c.sweeps.some((s) => s.batchId !== null && s.broadcastAt !== null && s.confirmedAt === null),
    resendReceipt: settled && credited,
    refundMoney: refundableLeft > 0n,
  };
  return {
    checkout: c,
    ledger,
    resolution,
    audit,
    can,
    credited,
    refunded,
    refunds,
    refundableLeft,
    refundExcess: excess > 0n && (c.exception === "overpaid" || c.exception === "paid_after_credit") ? excess : 0n,
    refundWallet: c.rail === "btc" ? refundWalletAddress() : null,
    outputs: c.outputs.map((o) => ({ ...o, explorerUrl: explorerTxUrl(o.txid) })),
    inbox: c.inbox.map((w) => ({ ...w, pretty: prettyBody(w.body) })),
    /** The sweep after crediting first, then sweeps of money paid after it; each with the batch it went out in. */
    sweeps: c.sweeps.map((s) => ({
      ...s,
      explorerUrl: explorerTxUrl(s.txid),
      batch: s.batch
        ? {
            checkouts: s.batch._count.parts,
            inputs: s.batch.inputs.length,
            feeSats: s.batch.feeSats,
            amountSats: s.batch.amountSats,
            vsize: s.batch.vsize,
            error: s.batch.error,
            /** The transaction an RBF bump replaced, if this one is a bump. */
            replaces: s.batch.replaces?.txid ?? null,
          }
        : null,
    })),
    /** Confirmed funds the last sweep left behind, and why ("waiting for cheaper fees: …"). */
    sweepWait: c.sweepWait,
  };
}

export type PaymentDetail = NonNullable<Awaited<ReturnType<typeof paymentDetail>>>;
