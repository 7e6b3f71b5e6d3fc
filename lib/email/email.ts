import "server-only";
import type { Transporter } from "nodemailer";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { processState } from "@/lib/singleton";

// Outbound email. Every message is first recorded in OutboundEmail under a dedup key
// (receipt:<checkoutId>, attention:<checkoutId>:<admin>), so the same message is recorded
// once however often the caller runs. With SMTP_URL set it is then sent by nodemailer — one
// sender at a time claims it, so a retry racing a slow send never mails twice. Without SMTP
// the row is the message: a local outbox that admins (and tests) read.

export interface EmailMessage {
  dedupKey: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  checkoutId?: string;
}

export type EmailOutcome = { id: string; transport: "smtp" | "outbox"; status: "sent" | "already_sent" | "recorded" | "in_progress" };

/** A claim older than this is assumed to belong to a crashed sender. */
const CLAIM_TTL_MS = 5 * 60_000;

const g = processState<{ __satchelMailer?: { url: string; transporter: Transporter } }>("email/email");

async function transporter(url: string): Promise<Transporter> {
  if (g.__satchelMailer?.url !== url) {
    const nodemailer = await import("nodemailer");
    g.__satchelMailer = { url, transporter: nodemailer.createTransport(url) };
  }
  return g.__satchelMailer.transporter;
}

export async function sendEmail(m: EmailMessage, now = new Date()): Promise<EmailOutcome> {
  const e = env();
  const transport = e.SMTP_URL ? "smtp" : "outbox";
  await db.outboundEmail.createMany({
    data: [{ dedupKey: m.dedupKey, to: m.to, subject: m.subject, text: m.text, html: m.html ?? null, checkoutId: m.checkoutId ?? null, transport }],
    skipDuplicates: true,
  });
  const row = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: m.dedupKey } });
  if (row.sentAt) return { id: row.id, transport: row.transport as EmailOutcome["transport"], status: "already_sent" };
  if (row.transport !== "smtp" || !e.SMTP_URL) return { id: row.id, transport: "outbox", status: "recorded" };

  const { count } = await db.outboundEmail.updateMany({
    where: { id: row.id, sentAt: null, OR: [{ claimedAt: null }, { claimedAt: { lt: new Date(now.getTime() - CLAIM_TTL_MS) } }] },
    data: { claimedAt: now, attempts: { increment: 1 } },
  });
  if (count === 0) return { id: row.id, transport: "smtp", status: "in_progress" };
  try {
    await (await transporter(e.SMTP_URL)).sendMail({ from: e.EMAIL_FROM, to: row.to, subject: row.subject, text: row.text, html: row.html ?? undefined });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db.outboundEmail.update({ where: { id: row.id }, data: { claimedAt: null, error: message.slice(0, 1000) } });
    throw new Error(`sending email ${row.dedupKey} failed: ${message}`);
  }
  await db.outboundEmail.update({ where: { id: row.id }, data: { sentAt: new Date(), error: null } });
  return { id: row.id, transport: "smtp", status: "sent" };
}
