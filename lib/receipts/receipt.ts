import "server-only";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { describeRate, formatMoney } from "@/lib/format";
import { formatBtcTrimmed } from "@/lib/money/amounts";
import { railName } from "@/lib/rails/registry";

// What a buyer's receipt says, from the database: the package snapshot, what was paid on the
// rail and at which locked rate, the credits the ledger actually added (an admin may have
// credited part of an underpayment), and the on-chain txids or the provider's reference.
// Only the checkout's owner (or an admin) gets one, and only once credits landed; everyone
// else gets null, which pages turn into a 404.

export const refundKey = (checkoutId: string) => `checkout:${checkoutId}:refund`;

export interface Receipt {
  checkoutId: string;
  buyer: { email: string; name: string | null };
  packageName: string;
  /** Credits the package promised. */
  packageCredits: number;
  /** Credits the ledger added for this checkout. */
  creditsAdded: number;
  /** Credits later refunded (taken back), 0 if none. */
  creditsRefunded: number;
  price: string;
  priceMinor: number;
  currency: string;
  rail: string;
  railName: string;
  /** e.g. "20000 sats (0.0002 BTC)" or "2000 KES". */
  paid: string;
  expected: string;
  /** e.g. "100000 USD/BTC (fixed), locked 2026-11-23 10:00 UTC", or null when the rail has none. */
  rate: string | null;
  txids: string[];
  providerReference: string | null;
  address: string | null;
  createdAt: Date;
  creditedAt: Date;
}

function railAmount(amount: bigint, unit: string): string {
  return unit === "sat" ? `${amount} sats (${formatBtcTrimmed(amount)} BTC)` : `${amount} ${unit}`;
}

const stamp = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;

export async function receiptFor(checkoutId: string, viewer: { id: string; role: "buyer" | "admin" }): Promise<Receipt | null> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: {
      id: true,
      userId: true,
      status: true,
      packageName: true,
      credits: true,
      priceMinor: true,
      currency: true,
      rail: true,
      expectedAmount: true,
      receivedAmount: true,
      amountUnit: true,
      rateValue: true,
      rateSource: true,
      rateAt: true,
      address: true,
      externalRef: true,
      createdAt: true,
      creditedAt: true,
      user: { select: { email: true, name: true } },
      outputs: { where: { goneAt: null }, orderBy: { firstSeenAt: "asc" }, select: { txid: true } },
    },
  });
  if (!c || (c.userId !== viewer.id && viewer.role !== "admin")) return null;
  if (c.status !== "credited" && c.status !== "forwarded") return null;
  const [credit, refund] = await Promise.all([
    db.ledgerEntry.findUnique({ where: { idempotencyKey: creditKey(c.id) }, select: { amount: true, createdAt: true } }),
    db.ledgerEntry.findUnique({ where: { idempotencyKey: refundKey(c.id) }, select: { amount: true } }),
  ]);
  if (!credit) return null;
  const rate = c.rateValue && c.rateSource ? `${describeRate(c)}${c.rateAt ? `, locked ${stamp(c.rateAt)}` : ""}` : null;
  return {
    checkoutId: c.id,
    buyer: c.user,
    packageName: c.packageName,
    packageCredits: c.credits,
    creditsAdded: credit.amount,
    creditsRefunded: refund ? -refund.amount : 0,
    price: formatMoney(c.priceMinor, c.currency),
    priceMinor: c.priceMinor,
    currency: c.currency,
    rail: c.rail,
    railName: railName(c.rail),
    paid: railAmount(c.receivedAmount, c.amountUnit),
    expected: railAmount(c.expectedAmount, c.amountUnit),
    rate,
    txids: [...new Set(c.outputs.map((o) => o.txid))],
    providerReference: c.externalRef,
    address: c.address,
    createdAt: c.createdAt,
    creditedAt: c.creditedAt ?? credit.createdAt,
  };
}

/** The receipt as label/value lines: the page, the PDF and the resent email all print these. */
export function receiptLines(r: Receipt): [string, string][] {
  const lines: [string, string][] = [
    ["Receipt number", r.checkoutId],
    ["Date", stamp(r.creditedAt)],
    ["Buyer", r.buyer.name ? `${r.buyer.name} <${r.buyer.email}>` : r.buyer.email],
    ["Package", `${r.packageName} (${r.packageCredits} credits)`],
    ["Price", r.price],
    ["Paid with", r.railName],
    ["Amount due", r.expected],
    ["Amount paid", r.paid],
  ];
  if (r.rate) lines.push(["Rate", r.rate]);
  lines.push(["Credits added", String(r.creditsAdded)]);
  if (r.creditsRefunded) lines.push(["Credits refunded", String(r.creditsRefunded)]);
  for (const [i, txid] of r.txids.entries()) lines.push([r.txids.length > 1 ? `Transaction ${i + 1}` : "Transaction", txid]);
  if (r.providerReference) lines.push(["Provider reference", r.providerReference]);
  return lines;
}

/** Plain-text receipt (the resend email's body). */
export function receiptText(r: Receipt, link: string): string {
  const lines = receiptLines(r);
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return [
    r.buyer.name ? `Hello ${r.buyer.name},` : "Hello,",
    "",
    `Here is your receipt for ${r.creditsAdded} credits on Satchel.`,
    "",
    ...lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    "",
    `View or download it: ${link}`,
    "",
  ].join("\n");
}
