import "server-only";
import { db, type Prisma } from "@/lib/db/client";

// The outbound email log for admins (/admin/outbox): every receipt, alert and account email
// Satchel recorded. Without SMTP the row IS the message (the embedded default's local outbox),
// so it is shown in full; once a message went out over SMTP, the one-time links in it
// (password reset, email change) are hidden — the recipient has them, an admin needs not.

const LINK_TOKEN = /([?&]token=)[A-Za-z0-9_-]+/g;

export function redactLinks(text: string): string {
  return text.replace(LINK_TOKEN, "$1[hidden: sent by email]");
}

export async function listOutbox(opts: { q?: string; page?: number; pageSize?: number } = {}) {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 25, 1), 100);
  const q = opts.q?.trim().slice(0, 200);
  const where: Prisma.OutboundEmailWhereInput = q
    ? { OR: [{ to: { contains: q.toLowerCase() } }, { subject: { contains: q, mode: "insensitive" } }, { dedupKey: q }] }
    : {};
  const total = await db.outboundEmail.count({ where });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(opts.page ?? 1, 1), pages);
  const rows = await db.outboundEmail.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: {
      id: true,
      to: true,
      subject: true,
      text: true,
      transport: true,
      createdAt: true,
      sentAt: true,
      error: true,
      attempts: true,
      checkoutId: true,
      dedupKey: true,
    },
  });
  return {
    total,
    page,
    pages,
    rows: rows.map((r) => ({ ...r, text: r.transport === "smtp" && r.sentAt ? redactLinks(r.text) : r.text })),
  };
}
