import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockKey } from "@/lib/db/limit";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { metrics } from "@/lib/metrics";
import { singleton } from "@/lib/singleton";

// The webhook inbox: every inbound call is stored raw first — headers minus secrets, the
// body, the verification result, the provider and its dedup key — and only then processed.
// A redelivery with the same dedup key is the same row (answered as a duplicate, processed
// once); a failure leaves the row "failed" with its error for the next attempt or an admin's
// replay; replay(id) re-runs processing of a stored row, which every processor makes
// idempotent. Each provider registers its processor once (lib/webhooks/entry.ts).
//
// The inbox cannot be flooded: a rejected call (forged, malformed) from a source that sent
// the same body for the same reason within the hour is counted on that row (repeats,
// lastSeenAt) instead of adding one; past WEBHOOK_REJECTED_PER_SOURCE rejected rows per
// source, or WEBHOOK_REJECTED_CAP per provider, in 10 minutes, a rejected call is counted on
// the latest row and refused with 429. pruneInbox deletes rejected rows, and processed or
// ignored rows tied to no checkout, once older than WEBHOOK_RETENTION_DAYS; rows that moved
// money (tied to a checkout, whose ledger entries are kept) and unfinished ones stay.

export type InboxStatus = "received" | "processed" | "rejected" | "failed" | "ignored";

export interface ProcessResult {
  status: "processed" | "ignored";
  checkoutId?: string | null;
  note?: string;
}

export type Processor = (row: {
  id: string;
  provider: string;
  dedupKey: string;
  body: string;
  checkoutId: string | null;
  /** What verification already parsed from the body (a fresh delivery only; a replay parses the stored body). */
  payload?: unknown;
}) => Promise<ProcessResult>;

export interface InboundWebhook {
  provider: string;
  /** Provider-specific: the same delivery always yields the same key. Null for rejected calls (each stored on its own). */
  dedupKey: string | null;
  headers: Headers | Record<string, string>;
  body: string;
  verified: boolean;
  verifyError?: string;
  /** Handed to the processor on this delivery, so the body is parsed once. */
  payload?: unknown;
  /** The caller's address, when known (rejected calls are limited per source). */
  source?: string | null;
}

export interface ReceiveResult {
  id: string;
  duplicate: boolean;
  status: InboxStatus;
  error?: string;
}

/** Header names whose values never get stored: credentials, cookies, signatures, tokens. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|signature(-256)?$|token|secret|password/i;

export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) out[name.toLowerCase()] = SECRET_HEADER.test(name) ? "[redacted]" : value.slice(0, 2000);
  return out;
}

const processors = () => singleton("inbox-processors", () => new Map<string, Processor>());

export function registerProcessor(provider: string, processor: Processor): void {
  processors().set(provider, processor);
}

function processorFor(provider: string): Processor {
  const p = processors().get(provider);
  if (!p) throw new AppError("not_found", `No webhook processor for "${provider}".`);
  return p;
}

const STUCK_AFTER_MS = 30_000;

/** Stores the call, then (if verified and new) processes it. */
export async function receiveWebhook(w: InboundWebhook): Promise<ReceiveResult> {
  metrics().webhookVerifications.inc({ provider: w.provider, result: w.verified ? "verified" : "rejected" });
  if (!w.verified) return receiveRejected(w);
  const result = await receiveVerified(w);
  if (result.status === "failed") metrics().webhookFailures.inc({ provider: w.provider });
  return result;
}

async function receiveVerified(w: InboundWebhook): Promise<ReceiveResult> {
  const headers = redactHeaders(w.headers) as Prisma.InputJsonValue;
  const rejected = false;
  const dedupKey = w.dedupKey ?? `unverified:${randomUUID()}`;
  let row;
  try {
    row = await db.webhookInbox.create({
      data: {
        provider: w.provider,
        dedupKey,
        headers,
        body: w.body,
        verified: w.verified,
        verifyError: w.verifyError ?? null,
        status: rejected ? "rejected" : "received",
      },
      select: { id: true },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const twin = await db.webhookInbox.findUniqueOrThrow({
      where: { provider_dedupKey: { provider: w.provider, dedupKey } },
      select: { id: true, status: true, error: true, receivedAt: true },
    });
    // A redelivery of one that failed earlier, or that has sat unprocessed (a crash
    // mid-processing), is a chance to finish it. A twin still being processed right now is
    // left to finish: processing is idempotent, but there is no need to do it twice at once.
    const stuck = twin.status === "received" && Date.now() - twin.receivedAt.getTime() > STUCK_AFTER_MS;
    if (twin.status === "failed" || stuck) {
      const again = await processRow(twin.id);
      return { ...again, duplicate: true };
    }
    return { id: twin.id, duplicate: true, status: twin.status, error: twin.error ?? undefined };
  }
  if (rejected) return { id: row.id, duplicate: false, status: "rejected" };
  return { ...(await processRow(row.id, w.payload)), duplicate: false };
}

const REJECTED_WINDOW_MS = 10 * 60_000;
const IDENTICAL_WINDOW_MS = 60 * 60_000;

/**
 * Stores a rejected call — once: an identical one (source, reason, body) within the hour is a
 * repeat on the same row, and past the per-source or per-provider limit the call is only
 * counted on the latest row and refused with 429. One provider's rejected calls queue on an
 * advisory lock, so concurrent floods cannot all pass the count.
 */
async function receiveRejected(w: InboundWebhook): Promise<ReceiveResult> {
  const now = new Date();
  const source = w.source?.slice(0, 100) ?? null;
  const hour = Math.floor(now.getTime() / IDENTICAL_WINDOW_MS);
  const dedupKey = `rejected:${fingerprint(source ?? "", w.verifyError ?? "", w.body)}:${hour}`;
  const e = env();
  const result = await db.$transaction(
    async (tx): Promise<ReceiveResult | "limited"> => {
      await lockKey(tx, `inbox-rejected:${w.provider}`);
      const repeat = async (id: string) => {
        await tx.webhookInbox.update({ where: { id }, data: { repeats: { increment: 1 }, lastSeenAt: now }, select: { id: true } });
      };
      const twin = await tx.webhookInbox.findUnique({ where: { provider_dedupKey: { provider: w.provider, dedupKey } }, select: { id: true } });
      if (twin) {
        await repeat(twin.id);
        return { id: twin.id, duplicate: true, status: "rejected" as const };
      }
      const since = new Date(now.getTime() - REJECTED_WINDOW_MS);
      const recent = { provider: w.provider, status: "rejected" as const, receivedAt: { gte: since } };
      const [fromSource, all] = await Promise.all([
        source ? tx.webhookInbox.count({ where: { ...recent, source } }) : Promise.resolve(0),
        tx.webhookInbox.count({ where: recent }),
      ]);
      if (fromSource >= e.WEBHOOK_REJECTED_PER_SOURCE || all >= e.WEBHOOK_REJECTED_CAP) {
        const latest = await tx.webhookInbox.findFirst({
          where: fromSource >= e.WEBHOOK_REJECTED_PER_SOURCE ? { ...recent, source } : recent,
          orderBy: { receivedAt: "desc" },
          select: { id: true },
        });
        if (latest) await repeat(latest.id);
        return "limited";
      }
      const row = await tx.webhookInbox.create({
        data: {
          provider: w.provider,
          dedupKey,
          headers: redactHeaders(w.headers) as Prisma.InputJsonValue,
          body: w.body,
          verified: false,
          verifyError: w.verifyError ?? null,
          status: "rejected",
          source,
        },
        select: { id: true },
      });
      return { id: row.id, duplicate: false, status: "rejected" as const };
    },
    { maxWait: 15_000 },
  );
  // Refused outside the transaction, so the count on the latest row is kept.
  if (result === "limited") throw new AppError("rate_limited", "Too many rejected calls; try again later.");
  return result;
}

export interface PruneResult {
  rejected: number;
  finished: number;
}

/** Deletes, in batches, rejected rows and money-free finished rows older than WEBHOOK_RETENTION_DAYS. */
export async function pruneInbox(now = new Date(), batch = 5_000): Promise<PruneResult> {
  const before = new Date(now.getTime() - env().WEBHOOK_RETENTION_DAYS * 86_400_000);
  const remove = async (where: Prisma.WebhookInboxWhereInput) => {
    let total = 0;
    for (;;) {
      const ids = (await db.webhookInbox.findMany({ where, select: { id: true }, take: batch, orderBy: { receivedAt: "asc" } })).map((r) => r.id);
      if (!ids.length) return total;
      total += (await db.webhookInbox.deleteMany({ where: { id: { in: ids } } })).count;
      if (ids.length < batch) return total;
    }
  };
  const rejected = await remove({ status: "rejected", receivedAt: { lt: before } });
  // Rows tied to a checkout are the provider's word behind a ledger movement: they stay as long as the checkout does.
  const finished = await remove({ status: { in: ["processed", "ignored"] }, checkoutId: null, receivedAt: { lt: before } });
  return { rejected, finished };
}

/** Re-runs processing of a stored row (admins' "replay"); rejected rows stay rejected. */
export async function replayWebhook(id: string): Promise<ReceiveResult> {
  const row = await db.webhookInbox.findUnique({ where: { id }, select: { status: true, verified: true } });
  if (!row) throw new AppError("not_found", "No such webhook.");
  if (!row.verified) throw new AppError("conflict", "This webhook failed verification; it cannot be replayed.");
  return { ...(await processRow(id)), duplicate: false };
}

async function processRow(id: string, payload?: unknown): Promise<Omit<ReceiveResult, "duplicate">> {
  const row = await db.webhookInbox.update({ where: { id }, data: { attempts: { increment: 1 } } });
  try {
    const r = await processorFor(row.provider)({ ...row, payload });
    await db.webhookInbox.update({
      where: { id },
      data: { status: r.status, processedAt: new Date(), error: null, ...(r.checkoutId !== undefined ? { checkoutId: r.checkoutId } : {}) },
    });
    return { id, status: r.status };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db.webhookInbox.update({ where: { id }, data: { status: "failed", error: message.slice(0, 1000) } });
    return { id, status: "failed", error: message };
  }
}

/** A short fingerprint for dedup keys built from long or untrusted parts. */
export function fingerprint(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}
