import "server-only";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { db, Prisma } from "@/lib/db/client";
import { sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { HostEventType } from "./event-types";
import { eventView } from "./events";
import { type Page, pageWhere } from "./pagination";
import { guardedFetch, urlProblem, type WebhookFetch } from "./webhook-fetch";

// Outbound webhooks, signed per the Standard Webhooks specification (standardwebhooks.com):
// webhook-id (the event id, the same on every attempt), webhook-timestamp (the attempt's
// time, seconds), webhook-signature ("v1,<base64 HMAC-SHA256 of id.timestamp.body>", one per
// live secret, space-separated while a rotation keeps the previous secret valid).
//
// Every event an endpoint wants becomes a WebhookDelivery row in the event's own transaction
// (fanOutInTx), so no event is lost between "it happened" and "the host was told". A sweep
// (deliverDueWebhooks: the in-process driver's tick, or the Inngest cron) claims due rows with
// SKIP LOCKED, POSTs them with a 10 s timeout and logs each attempt. A 2xx ends the delivery;
// anything else schedules the next attempt by RETRY_SCHEDULE_MS (about 3 days in all). An
// endpoint whose attempts have failed without a single success for DISABLE_AFTER_MS is
// disabled and the admins are emailed once. Time comes in as `now`, so tests travel through
// the whole schedule without sleeping.

/** Delay before attempt n+1 after attempt n failed (n = 1…9); after the 10th the delivery has failed. */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** An endpoint failing this long with no success in between is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3_600_000;
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** A claimed delivery is not claimed again for this long (longer than an attempt can take). */
const LEASE_MS = 60_000;
const SNIPPET_BYTES = 256;

type Tx = Prisma.TransactionClient;

// ── Endpoints ────────────────────────────────────────────────────────────────────────────

const endpointSelect = {
  id: true,
  url: true,
  description: true,
  enabledEvents: true,
  status: true,
  disabledAt: true,
  failingSince: true,
  previousSecretExpiresAt: true,
  createdAt: true,
} as const;
type EndpointRow = Prisma.WebhookEndpointGetPayload<{ select: typeof endpointSelect }>;

/** The API's webhook_endpoint object (lib/api/v1-schemas.ts `webhookEndpoint` describes it). */
export interface WebhookEndpointView {
  id: string;
  object: "webhook_endpoint";
  url: string;
  description: string | null;
  enabled_events: string[];
  status: "enabled" | "disabled";
  disabled_at: string | null;
  failing_since: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  secret?: string;
}

export function endpointView(e: EndpointRow, secret?: string): WebhookEndpointView {
  return {
    id: e.id,
    object: "webhook_endpoint",
    url: e.url,
    description: e.description,
    enabled_events: e.enabledEvents,
    status: e.status as "enabled" | "disabled",
    disabled_at: e.disabledAt?.toISOString() ?? null,
    failing_since: e.failingSince?.toISOString() ?? null,
    previous_secret_expires_at: e.previousSecretExpiresAt?.toISOString() ?? null,
    created_at: e.createdAt.toISOString(),
    ...(secret ? { secret } : {}),
  };
}

export const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export interface EndpointInput {
  url: string;
  description?: string | null;
  enabledEvents: readonly string[];
  keyId?: string | null;
}

export async function createEndpoint(input: EndpointInput): Promise<WebhookEndpointView> {
  const problem = urlProblem(input.url);
  if (problem) throw new AppError("validation_failed", `This URL cannot receive webhooks: ${problem}.`, { param: "url" });
  const secret = newSecret();
  const row = await db.webhookEndpoint.create({
    data: {
      id: `we_${randomBytes(12).toString("hex")}`,
      url: input.url,
      description: input.description ?? null,
      enabledEvents: [...new Set(input.enabledEvents)],
      secret,
      createdByKeyId: input.keyId ?? null,
    },
    select: endpointSelect,
  });
  return endpointView(row, secret);
}

async function requireEndpoint(id: string): Promise<EndpointRow> {
  const row = await db.webhookEndpoint.findFirst({ where: { id, deletedAt: null }, select: endpointSelect });
  if (!row) throw new AppError("not_found", `No webhook endpoint ${id}.`);
  return row;
}

export async function getEndpoint(id: string): Promise<WebhookEndpointView> {
  return endpointView(await requireEndpoint(id));
}

export async function listEndpoints(opts: { limit: number; startingAfter?: string }): Promise<Page<WebhookEndpointView>> {
  const cursor = opts.startingAfter
    ? await db.webhookEndpoint.findFirst({ where: { id: opts.startingAfter, deletedAt: null }, select: { id: true, createdAt: true } })
    : null;
  const rows = await db.webhookEndpoint.findMany({
    where: { AND: [{ deletedAt: null }, pageWhere(cursor, opts.startingAfter)] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    select: endpointSelect,
  });
  return { data: rows.slice(0, opts.limit).map((e) => endpointView(e)), hasMore: rows.length > opts.limit };
}

/** Deletes the endpoint: no more deliveries; its history stays for the admins. */
export async function deleteEndpoint(id: string, now = new Date()) {
  await requireEndpoint(id);
  await db.webhookEndpoint.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: now } });
  await db.webhookDelivery.updateMany({ where: { endpointId: id, status: "pending" }, data: { status: "failed", nextAttemptAt: null } });
  return { id, object: "webhook_endpoint" as const, deleted: true as const };
}

/** A new secret; the current one keeps signing beside it for `expiresInSeconds`. */
export async function rotateSecret(id: string, expiresInSeconds: number, now = new Date()): Promise<WebhookEndpointView> {
  await requireEndpoint(id);
  const secret = newSecret();
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookEndpoint" SET
      "previousSecret" = CASE WHEN ${expiresInSeconds}::int > 0 THEN "secret" ELSE NULL END,
      "previousSecretExpiresAt" = CASE WHEN ${expiresInSeconds}::int > 0 THEN ${new Date(now.getTime() + expiresInSeconds * 1000)}::timestamp(3) ELSE NULL END,
      "secret" = ${secret}
    WHERE "id" = ${id} AND "deletedAt" IS NULL RETURNING "id"`;
  if (!rows.length) throw new AppError("not_found", `No webhook endpoint ${id}.`);
  return endpointView(await requireEndpoint(id), secret);
}

// ── Fan-out: an event becomes one delivery per endpoint that wants it ────────────────────

/** In the event's transaction: a pending delivery, due now, for every enabled endpoint subscribed to its type. */
/** The endpoints (`"WebhookEndpoint" w`) an event of this type goes to: one condition for every fan-out. */
export function listensTo(type: HostEventType): Prisma.Sql {
  return Prisma.sql`w."status" = 'enabled' AND w."deletedAt" IS NULL AND ('*' = ANY(w."enabledEvents") OR ${type} = ANY(w."enabledEvents"))`;
}

export async function fanOutInTx(tx: Tx, eventId: string, type: HostEventType): Promise<number> {
  return tx.$executeRaw`
    INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "nextAttemptAt")
    SELECT gen_random_uuid()::text, w."id", ${eventId}, CURRENT_TIMESTAMP
    FROM "WebhookEndpoint" w
    WHERE ${listensTo(type)}
    ON CONFLICT ("endpointId", "eventId") DO NOTHING`;
}

// ── Signing ──────────────────────────────────────────────────────────────────────────────

/** The Standard Webhooks headers for one attempt: one signature per live secret. */
export function signHeaders(msgId: string, body: string, secrets: readonly string[], at: Date): Record<string, string> {
  const signature = secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(" ");
  return {
    "content-type": "application/json",
    "user-agent": "Satchel-Webhooks/1",
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
}

// ── Delivery ─────────────────────────────────────────────────────────────────────────────

export interface DeliverOptions {
  /** The clock the schedule runs on (tests travel through it). */
  now?: Date;
  /** Where requests go; the guarded fetch (https, public addresses) unless a test injects one. */
  fetch?: WebhookFetch;
  limit?: number;
  concurrency?: number;
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  snippet: string | null;
  error: string | null;
}

async function readSnippet(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString("utf8");
  return text.length ? text : null;
}

async function attempt(url: string, headers: Record<string, string>, body: string, doFetch: WebhookFetch): Promise<AttemptResult> {
  const started = performance.now();
  try {
    const res = await doFetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
    const snippet = await readSnippet(res).catch(() => null);
    return { ok: res.status >= 200 && res.status < 300, statusCode: res.status, latencyMs: Math.round(performance.now() - started), snippet, error: null };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const message = e.name === "TimeoutError" ? `timed out after ${ATTEMPT_TIMEOUT_MS / 1000} s` : (e.cause?.code ?? e.message);
    return { ok: false, statusCode: null, latencyMs: Math.round(performance.now() - started), snippet: null, error: String(message).slice(0, 500) };
  }
}

const deliverySelect = {
  id: true,
  attempts: true,
  status: true,
  eventId: true,
  event: { select: { id: true, type: true, data: true, createdAt: true } },
  endpoint: {
    select: { id: true, url: true, secret: true, previousSecret: true, previousSecretExpiresAt: true, status: true, deletedAt: true, failingSince: true },
  },
} as const;
type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ select: typeof deliverySelect }>;

function liveSecrets(e: DeliveryRow["endpoint"], now: Date): string[] {
  const secrets = [e.secret];
  if (e.previousSecret && e.previousSecretExpiresAt && e.previousSecretExpiresAt > now) secrets.push(e.previousSecret);
  return secrets;
}

/** Sends one attempt of a delivery and records it; returns what the endpoint answered. */
async function send(d: DeliveryRow, trigger: "scheduled" | "manual", now: Date, doFetch: WebhookFetch, actorId?: string): Promise<AttemptResult> {
  const body = JSON.stringify(eventView(d.event));
  // The timestamp is the real time of sending (receivers check it against their clock);
  // `now` only drives the schedule.
  const headers = signHeaders(d.event.id, body, liveSecrets(d.endpoint, now), new Date());
  const r = await attempt(d.endpoint.url, headers, body, doFetch);
  const number = d.attempts + 1;
  await db.$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        deliveryId: d.id,
        number,
        trigger,
        actorId: actorId ?? null,
        statusCode: r.statusCode,
        ok: r.ok,
        latencyMs: r.latencyMs,
        responseSnippet: r.snippet,
        error: r.error,
        createdAt: now,
      },
    });
    if (r.ok) {
      await tx.webhookDelivery.update({
        where: { id: d.id },
        data: { attempts: number, status: "succeeded", succeededAt: now, lastAttemptAt: now, nextAttemptAt: null },
      });
      await tx.webhookEndpoint.updateMany({ where: { id: d.endpoint.id, failingSince: { not: null } }, data: { failingSince: null } });
      return;
    }
    // A manual redelivery that fails leaves the schedule as it was.
    const next = trigger === "scheduled" ? RETRY_SCHEDULE_MS[number - 1] : undefined;
    await tx.webhookDelivery.update({
      where: { id: d.id },
      data: {
        attempts: number,
        lastAttemptAt: now,
        ...(trigger === "scheduled"
          ? next === undefined
            ? { status: "failed", nextAttemptAt: null }
            : { nextAttemptAt: new Date(now.getTime() + next) }
          : {}),
      },
    });
    await tx.webhookEndpoint.updateMany({ where: { id: d.endpoint.id, failingSince: null }, data: { failingSince: now } });
  });
  if (!r.ok && trigger === "scheduled") await disableIfFailingTooLong(d.endpoint.id, now);
  return r;
}

/** Disables an endpoint that has failed for the whole window, and tells the admins once. */
async function disableIfFailingTooLong(endpointId: string, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - DISABLE_AFTER_MS);
  const disabled = await db.webhookEndpoint.updateManyAndReturn({
    where: { id: endpointId, status: "enabled", failingSince: { lte: cutoff } },
    data: { status: "disabled", disabledAt: now, disabledReason: "failing" },
    select: { id: true, url: true, failingSince: true },
  });
  const e = disabled[0];
  if (!e) return false;
  log.warn({ endpointId: e.id }, "webhook endpoint disabled: every attempt failed for 3 days");
  const since = e.failingSince?.toISOString() ?? now.toISOString();
  for (const to of env().ADMIN_EMAILS)
    await sendEmail(
      {
        dedupKey: `webhook-endpoint-disabled:${e.id}:${since}:${to}`,
        to,
        subject: "Satchel: a webhook endpoint was disabled",
        text: `Every delivery to the webhook endpoint ${e.id} (${e.url}) has failed since ${since}, so Satchel stopped sending to it.\n\nIts undelivered events are kept. Fix the receiver, then enable the endpoint again and redeliver from /admin/developers.`,
      },
      now,
    ).catch((err) => log.error({ err, endpointId: e.id }, "could not record the endpoint-disabled email"));
  return true;
}

/** One sweep: every due delivery of an enabled endpoint, claimed (SKIP LOCKED), sent once. */
export async function deliverDueWebhooks(opts: DeliverOptions = {}): Promise<{ attempted: number; succeeded: number; failed: number }> {
  const now = opts.now ?? new Date();
  const doFetch = opts.fetch ?? guardedFetch;
  const claimed = await db.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookDelivery" SET "nextAttemptAt" = ${new Date(now.getTime() + LEASE_MS)}
    WHERE "id" IN (
      SELECT d."id" FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e."id" = d."endpointId"
      WHERE d."status" = 'pending' AND d."nextAttemptAt" <= ${now} AND e."status" = 'enabled' AND e."deletedAt" IS NULL
      ORDER BY d."nextAttemptAt" LIMIT ${opts.limit ?? 200}
      FOR UPDATE OF d SKIP LOCKED)
    RETURNING "id"`;
  const counts = { attempted: 0, succeeded: 0, failed: 0 };
  const queue = claimed.map((c) => c.id);
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      try {
        const d = await db.webhookDelivery.findUniqueOrThrow({ where: { id }, select: deliverySelect });
        const r = await send(d, "scheduled", now, doFetch);
        counts.attempted++;
        if (r.ok) counts.succeeded++;
        else counts.failed++;
      } catch (err) {
        log.error({ err, deliveryId: id }, "webhook delivery attempt could not be recorded; its lease expires and it is retried");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, queue.length) }, worker));
  return counts;
}

/** An admin's redelivery: a new attempt now, with the same webhook-id, whatever the schedule says. */
export async function redeliver(deliveryId: string, opts: { actorId: string; now?: Date; fetch?: WebhookFetch }): Promise<AttemptResult> {
  const d = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, select: deliverySelect });
  if (!d || d.endpoint.deletedAt) throw new AppError("not_found", "No such delivery.");
  return send(d, "manual", opts.now ?? new Date(), opts.fetch ?? guardedFetch, opts.actorId);
}

/** Turns a disabled endpoint back on; its pending deliveries resume at once. */
export async function enableEndpoint(id: string, now = new Date()): Promise<boolean> {
  const r = await db.webhookEndpoint.updateMany({
    where: { id, status: "disabled", deletedAt: null },
    data: { status: "enabled", disabledAt: null, disabledReason: null, failingSince: null },
  });
  if (r.count) await db.webhookDelivery.updateMany({ where: { endpointId: id, status: "pending" }, data: { nextAttemptAt: now } });
  return r.count > 0;
}

// ── Admin views ──────────────────────────────────────────────────────────────────────────

export async function endpointsWithDeliveries(opts: { deliveries?: number } = {}) {
  const endpoints = await db.webhookEndpoint.findMany({
    where: { deletedAt: null },
    orderBy: [{ createdAt: "desc" }],
    take: 50,
    select: {
      ...endpointSelect,
      disabledReason: true,
      deliveries: {
        orderBy: { createdAt: "desc" },
        take: opts.deliveries ?? 20,
        select: {
          id: true,
          status: true,
          attempts: true,
          nextAttemptAt: true,
          eventId: true,
          createdAt: true,
          event: { select: { type: true } },
          attemptsLog: {
            orderBy: { number: "desc" },
            take: 1,
            select: { number: true, statusCode: true, latencyMs: true, responseSnippet: true, error: true, trigger: true, createdAt: true },
          },
        },
      },
    },
  });
  return endpoints;
}
