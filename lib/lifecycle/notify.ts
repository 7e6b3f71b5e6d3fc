import "server-only";
import { db } from "@/lib/db/client";
import { type EmailOutcome, sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { formatCredits, formatMoney } from "@/lib/format";
import { formatBtcTrimmed } from "@/lib/money/amounts";
import { railName } from "@/lib/rails/registry";
import { type OmnisendOutcome, sendCreditsPurchased } from "./omnisend";

// Telling the buyer: once credits land, one email receipt (with a link to the receipt page)
// and, when OMNISEND_API_KEY is set, one Omnisend "credits purchased" event. Each is
// recorded under a dedup key before it is sent, so running this twice — a retried step, the
// reconciler racing the lifecycle — sends each once. notifiedAt marks the checkout done.

export type NotifyOutcome =
  | { outcome: "not_credited"; status: string }
  | { outcome: "already_notified"; notifiedAt: string }
  | { outcome: "notified"; email: EmailOutcome["status"]; omnisend: OmnisendOutcome }
  /** Another sender holds the claim right now; try again later. */
  | { outcome: "in_progress"; email: EmailOutcome["status"]; omnisend: OmnisendOutcome };

export const receiptKey = (checkoutId: string) => `receipt:${checkoutId}`;

export function receiptUrl(checkoutId: string): string {
  return new URL(`/account/receipts/${checkoutId}`, env().APP_URL).toString();
}

export async function notifyCredited(checkoutId: string, now = new Date()): Promise<NotifyOutcome> {
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: {
      id: true,
      status: true,
      notifiedAt: true,
      creditedAt: true,
      credits: true,
      packageName: true,
      priceMinor: true,
      currency: true,
      rail: true,
      expectedAmount: true,
      receivedAmount: true,
      amountUnit: true,
      address: true,
      user: { select: { email: true, name: true } },
    },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (c.status !== "credited" && c.status !== "forwarded") return { outcome: "not_credited", status: c.status };
  if (c.notifiedAt) return { outcome: "already_notified", notifiedAt: c.notifiedAt.toISOString() };

  const creditedAt = c.creditedAt ?? now;
  const paid = c.amountUnit === "sat" ? `${c.receivedAmount} sats (${formatBtcTrimmed(c.receivedAmount)} BTC)` : `${c.receivedAmount} ${c.amountUnit}`;
  const link = receiptUrl(c.id);
  const lines = [
    c.user.name ? `Hello ${c.user.name},` : "Hello,",
    "",
    `${formatCredits(c.credits)} have been added to your Satchel account.`,
    "",
    `Package:   ${c.packageName}`,
    `Price:     ${formatMoney(c.priceMinor, c.currency)}`,
    `Paid:      ${paid} via ${railName(c.rail)}`,
    `Credits:   ${formatCredits(c.credits)}`,
    `Date:      ${creditedAt.toISOString().replace("T", " ").slice(0, 16)} UTC`,
    `Reference: ${c.id}`,
    "",
    `Your receipt: ${link}`,
    "",
  ];
  const email = await sendEmail({
    dedupKey: receiptKey(c.id),
    to: c.user.email,
    subject: `Receipt: ${formatCredits(c.credits)} added to your Satchel account`,
    text: lines.join("\n"),
    html: `<p>${escapeHtml(lines.slice(0, 3).join(" ").trim())}</p><pre>${escapeHtml(lines.slice(4, 10).join("\n"))}</pre><p><a href="${escapeHtml(link)}">View your receipt</a></p>`,
    checkoutId: c.id,
  });
  const omnisend = await sendCreditsPurchased({
    checkoutId: c.id,
    email: c.user.email,
    credits: c.credits,
    priceMinor: c.priceMinor,
    currency: c.currency,
    paidAmount: c.receivedAmount.toString(),
    paidUnit: c.amountUnit,
    rail: c.rail,
    packageName: c.packageName,
    creditedAt,
  });
  if (email.status === "in_progress" || omnisend === "in_progress") return { outcome: "in_progress", email: email.status, omnisend };

  await db.$transaction(async (tx) => {
    const { count } = await tx.checkout.updateMany({ where: { id: c.id, notifiedAt: null }, data: { notifiedAt: now } });
    if (count === 1)
      await tx.checkoutEvent.create({
        data: {
          checkoutId: c.id,
          fromStatus: c.status,
          toStatus: c.status,
          cause: "system",
          message:
            email.transport === "smtp" ? `receipt emailed to ${c.user.email}` : `receipt recorded in the outbox for ${c.user.email} (no SMTP configured)`,
          data: { email: email.status, omnisend },
        },
      });
  });
  return { outcome: "notified", email: email.status, omnisend };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}
