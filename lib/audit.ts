import "server-only";
import { db, Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";

// The audit log: who did what, to what, when and why. Every admin action writes one row in
// the same transaction as its effect, so the log never claims something that rolled back.
// The row's id is the action's request id (a UUID the admin's form generated when its
// confirmation dialog opened): submitting the same form twice finds the row and does nothing.

type Tx = Prisma.TransactionClient;

export interface AuditInput {
  /** The request id; becomes the AuditLog id. */
  id: string;
  actorId: string;
  action: string;
  targetType: "checkout" | "user" | "package" | "webhook" | "api_key" | "webhook_endpoint" | "neobank_deposit";
  targetId: string;
  reason?: string | null;
  data?: Prisma.InputJsonValue;
}

export async function writeAudit(tx: Tx, a: AuditInput): Promise<string> {
  const row = await tx.auditLog.create({
    data: {
      id: a.id,
      actorId: a.actorId,
      action: a.action,
      targetType: a.targetType,
      targetId: a.targetId,
      reason: a.reason ?? null,
      data: a.data ?? Prisma.JsonNull,
    },
    select: { id: true },
  });
  return row.id;
}

/** The row already written for this request id, if any (a double submit). */
export function findAudit(id: string) {
  return db.auditLog.findUnique({ where: { id }, select: { id: true, action: true, targetId: true, data: true, createdAt: true } });
}

export { isUniqueViolation };

export interface AuditPage {
  rows: {
    id: string;
    /** Null for what no admin did: a buyer's refund claim, a payout the background work sent. */
    actorId: string | null;
    action: string;
    targetType: string;
    targetId: string;
    reason: string | null;
    data: unknown;
    createdAt: Date;
    actor: { id: string; email: string } | null;
  }[];
  total: number;
  page: number;
  pageSize: number;
}

/** Newest first, optionally for one target (a checkout's or a user's history). */
export async function listAudit(opts: { page?: number; pageSize?: number; targetType?: string; targetId?: string; action?: string } = {}): Promise<AuditPage> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 50, 1), 200);
  const page = Math.max(opts.page ?? 1, 1);
  const where: Prisma.AuditLogWhereInput = {
    ...(opts.targetType ? { targetType: opts.targetType } : {}),
    ...(opts.targetId ? { targetId: opts.targetId } : {}),
    ...(opts.action ? { action: opts.action } : {}),
  };
  const [rows, total] = await Promise.all([
    db.auditLog.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        actorId: true,
        action: true,
        targetType: true,
        targetId: true,
        reason: true,
        data: true,
        createdAt: true,
        actor: { select: { id: true, email: true } },
      },
    }),
    db.auditLog.count({ where }),
  ]);
  return { rows, total, page, pageSize };
}
