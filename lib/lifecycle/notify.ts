import "server-only";
import { db } from "@/lib/db/client";
import { type EmailOutcome, sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { formatDateTime, formatMoney, formatRailAmount } from "@/lib/format";
import { translator } from "@/lib/i18n/messages";
import { type OmnisendOutcome, sendCreditsPurchased } from "@/lib/omnisend/events";
import { railName } from "@/lib/rails/registry";

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
      user: { select: { email: true, name: true, locale: true } },
    },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (c.status !== "credited" && c.status !== "forwarded") return { outcome: "not_credited", status: c.status };
  if (c.notifiedAt) return { outcome: "already_notified", notifiedAt: c.notifiedAt.toISOString() };

  const creditedAt = c.creditedAt ?? now;
  // In the buyer's language (the switcher's choice, stored on the account), amounts formatted once (lib/format).
  const locale = c.user.locale ?? "en";
  const t = translator(locale, "email");
  const paid = formatRailAmount(c.receivedAmount, c.amountUnit, locale);
  const credits = t("credits", { count: c.credits });
  const link = receiptUrl(c.id);
  const rows: [string, string][] = [
    [t("receipt.package"), c.packageName],
    [t("receipt.price"), formatMoney(c.priceMinor, c.currency, locale)],
    [t("receipt.paid"), t("receipt.paidVia", { amount: paid, rail: railName(c.rail) })],
    [t("receipt.credits"), credits],
    [t("receipt.date"), formatDateTime(creditedAt, locale)],
    [t("receipt.reference"), c.id],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = [
    c.user.name ? t("helloName", { name: c.user.name }) : t("hello"),
    "",
    t("receipt.added", { credits }),
    "",
    ...rows.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    "",
    t("receipt.link", { link }),
    "",
  ];
  const email = await sendEmail({
    dedupKey: receiptKey(c.id),
    to: c.user.email,
    subject: t("receipt.subject", { credits }),
    text: lines.join("\n"),
    html: `<p>${escapeHtml(lines.slice(0, 3).join(" ").trim())}</p><pre>${escapeHtml(lines.slice(4, 4 + rows.length).join("\n"))}</pre><p><a href="${escapeHtml(link)}">${escapeHtml(t("receipt.view"))}</a></p>`,
    checkoutId: c.id,
  });
  // The shop's copy (RECEIPTS_BCC): its own outbox row per address, sent once like the buyer's.
  const shop = [...new Set([...env().RECEIPTS_BCC, ...env().EMAIL_BCC])].filter((a) => a !== c.user.email.toLowerCase());
  const copies = [];
  for (const to of shop)
    copies.push(
      await sendEmail({
        dedupKey: `${receiptKey(c.id)}:copy:${to}`,
        to,
        subject: `Copy: ${t("receipt.subject", { credits })}`,
        text: [`Copy of the receipt sent to ${c.user.email}.`, "", ...lines].join("\n"),
        checkoutId: c.id,
      }),
    );
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
  if (email.status === "in_progress" || copies.some((m) => m.status === "in_progress") || omnisend === "in_progress")
    return { outcome: "in_progress", email: email.status, omnisend };

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
