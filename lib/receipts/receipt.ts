import "server-only";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { describeRate, formatDateTime, formatMoney, formatRailAmount } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
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
  refundedAt: Date | null;
  /** The buyer's language (their switcher choice), for the PDF and emails. */
  locale: string;
  priceMinor: number;
  currency: string;
  rail: string;
  railName: string;
  /** In rail units (Checkout.amountUnit): formatted per locale by receiptLines. */
  paidAmount: bigint;
  expectedAmount: bigint;
  amountUnit: string;
  rateValue: string | null;
  rateSource: string | null;
  rateAt: Date | null;
  txids: string[];
  providerReference: string | null;
  address: string | null;
  createdAt: Date;
  creditedAt: Date;
}

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
      user: { select: { email: true, name: true, locale: true } },
      outputs: { where: { goneAt: null }, orderBy: { firstSeenAt: "asc" }, select: { txid: true } },
    },
  });
  if (!c || (c.userId !== viewer.id && viewer.role !== "admin")) return null;
  if (c.status !== "credited" && c.status !== "forwarded") return null;
  const [credit, refund] = await Promise.all([
    db.ledgerEntry.findUnique({ where: { idempotencyKey: creditKey(c.id) }, select: { amount: true, createdAt: true } }),
    db.ledgerEntry.findUnique({ where: { idempotencyKey: refundKey(c.id) }, select: { amount: true, createdAt: true } }),
  ]);
  if (!credit) return null;
  return {
    checkoutId: c.id,
    buyer: { email: c.user.email, name: c.user.name },
    locale: c.user.locale ?? "en",
    packageName: c.packageName,
    packageCredits: c.credits,
    creditsAdded: credit.amount,
    creditsRefunded: refund ? -refund.amount : 0,
    refundedAt: refund?.createdAt ?? null,
    priceMinor: c.priceMinor,
    currency: c.currency,
    rail: c.rail,
    railName: railName(c.rail),
    paidAmount: c.receivedAmount,
    expectedAmount: c.expectedAmount,
    amountUnit: c.amountUnit,
    rateValue: c.rateValue,
    rateSource: c.rateSource,
    rateAt: c.rateAt,
    txids: [...new Set(c.outputs.map((o) => o.txid))],
    providerReference: c.externalRef,
    address: c.address,
    createdAt: c.createdAt,
    creditedAt: c.creditedAt ?? credit.createdAt,
  };
}

/** The receipt's state in words: credited, or refunded (fully or in part). */
export function receiptStatus(r: Receipt, locale = r.locale): string {
  const t = translator(locale, "receipt");
  if (!r.creditsRefunded) return t("statusCredited");
  return r.creditsRefunded >= r.creditsAdded
    ? t("statusRefunded", { date: formatDateTime(r.refundedAt ?? r.creditedAt, locale) })
    : t("statusPartlyRefunded", { count: r.creditsRefunded, date: formatDateTime(r.refundedAt ?? r.creditedAt, locale) });
}

/** The receipt as label/value lines in the reader's language: the page, the PDF and the resent email all print these. */
export function receiptLines(r: Receipt, locale = r.locale): [string, string][] {
  const t = translator(locale, "receipt");
  const rate = describeRate(r, locale);
  const lines: [string, string][] = [
    [t("number"), r.checkoutId],
    [t("date"), formatDateTime(r.creditedAt, locale)],
    [t("buyer"), r.buyer.name ? `${r.buyer.name} <${r.buyer.email}>` : r.buyer.email],
    [t("package"), t("packageValue", { name: r.packageName, count: r.packageCredits })],
    [t("price"), formatMoney(r.priceMinor, r.currency, locale)],
    [t("paidWith"), r.railName],
    [t("amountDue"), formatRailAmount(r.expectedAmount, r.amountUnit, locale)],
    [t("amountPaid"), formatRailAmount(r.paidAmount, r.amountUnit, locale)],
  ];
  if (rate) lines.push([t("rate"), r.rateAt ? t("rateLocked", { rate, date: formatDateTime(r.rateAt, locale) }) : rate]);
  lines.push([t("creditsAdded"), t("credits", { count: r.creditsAdded })]);
  if (r.creditsRefunded) lines.push([t("creditsRefunded"), t("credits", { count: r.creditsRefunded })]);
  lines.push([t("status"), receiptStatus(r, locale)]);
  for (const [i, txid] of r.txids.entries()) lines.push([r.txids.length > 1 ? t("transactionN", { n: i + 1 }) : t("transaction"), txid]);
  if (r.providerReference) lines.push([t("providerReference"), r.providerReference]);
  return lines;
}

/** Plain-text receipt (the resend email's body), in the buyer's language. */
export function receiptText(r: Receipt, link: string, locale = r.locale): string {
  const t = translator(locale, "receipt");
  const e = translator(locale, "email");
  const lines = receiptLines(r, locale);
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return [
    r.buyer.name ? e("helloName", { name: r.buyer.name }) : e("hello"),
    "",
    t("intro", { count: r.creditsAdded }),
    "",
    ...lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    "",
    t("viewAt", { link }),
    "",
  ].join("\n");
}
