import "server-only";
import { db, type Prisma } from "@/lib/db/client";
import { replayWebhook } from "@/lib/webhooks/processors";
import { type ActionContext, type ActionOutcome, audited, precheck } from "./actions";
import { prettyBody } from "./detail";

// The webhook inbox for admins: filter by provider and status, inspect a stored delivery,
// and replay one that failed (the inbox re-runs its provider's idempotent processor).

export const WEBHOOK_STATUSES = ["received", "processed", "rejected", "failed", "ignored"] as const;
export type WebhookStatusFilter = (typeof WEBHOOK_STATUSES)[number];

export async function listWebhooks(opts: { provider?: string; status?: WebhookStatusFilter; page?: number; pageSize?: number } = {}) {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 25, 1), 100);
  const where: Prisma.WebhookInboxWhereInput = {
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.status ? { status: opts.status } : {}),
  };
  const [total, providers] = await Promise.all([
    db.webhookInbox.count({ where }),
    db.webhookInbox.findMany({ distinct: ["provider"], select: { provider: true }, orderBy: { provider: "asc" } }),
  ]);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(opts.page ?? 1, 1), pages);
  const rows = await db.webhookInbox.findMany({
    where,
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: {
      id: true,
      provider: true,
      dedupKey: true,
      status: true,
      verified: true,
      verifyError: true,
      error: true,
      attempts: true,
      receivedAt: true,
      processedAt: true,
      checkoutId: true,
    },
  });
  return { rows, total, page, pages, providers: providers.map((p) => p.provider) };
}

export async function webhookDetail(id: string) {
  const row = await db.webhookInbox.findUnique({ where: { id } });
  return row ? { ...row, pretty: prettyBody(row.body), prettyHeaders: JSON.stringify(row.headers, null, 2) } : null;
}

export async function replayInboxRow(ctx: ActionContext, id: string): Promise<ActionOutcome> {
  const seen = await precheck(ctx);
  if (seen) return seen;
  const row = await db.webhookInbox.findUnique({ where: { id }, select: { status: true, provider: true } });
  if (!row) return { applied: false, message: "No such webhook." };
  // Only rows that did not finish: replaying a processed row would be a no-op by design.
  if (row.status !== "failed" && row.status !== "received") return { applied: false, message: `Not replayed: the row is ${row.status}.` };
  const r = await replayWebhook(id);
  const message = r.status === "failed" ? `Replayed; it failed again: ${r.error ?? "unknown error"}` : `Replayed: ${r.status}.`;
  const out = await audited(ctx, async () => ({
    applied: true,
    message,
    action: "webhook.replay",
    targetType: "webhook",
    targetId: id,
    data: { provider: row.provider, status: r.status, error: r.error ?? null },
  }));
  return { ...out, message: out.applied ? message : out.message };
}
