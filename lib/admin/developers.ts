import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { generateKey, SCOPES } from "@/lib/host/keys";
import type { WebhookFetch } from "@/lib/host/webhook-fetch";
import { enableEndpoint, endpointsWithDeliveries, redeliver } from "@/lib/host/webhooks";
import { type ActionContext, type ActionOutcome, audited, precheck } from "./actions";

// API keys for host applications (/admin/developers). Creating returns the secret once, in
// the outcome only: the database keeps its SHA-256, the audit row its prefix. Revoking is
// final; the row stays so the audit trail and last-used time remain readable.

export const apiKeyInput = z.object({
  name: z.string().trim().min(1, "Name the key (which app uses it).").max(80, "Keep the name under 80 characters."),
  scopes: z.array(z.enum(SCOPES)).min(1, "Choose at least one scope."),
  rateLimitPerMinute: z.coerce
    .number({ message: "Requests per minute: a whole number." })
    .int("Requests per minute: a whole number.")
    .min(1, "At least 1 request a minute.")
    .max(100_000, "At most 100000 requests a minute.")
    .default(600),
});

export type ApiKeyInput = z.input<typeof apiKeyInput>;

export function listApiKeys() {
  return db.apiKey.findMany({
    orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
    select: {
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      rateLimitPerMinute: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      createdBy: { select: { email: true } },
    },
  });
}

export async function createApiKey(ctx: ActionContext, input: ApiKeyInput): Promise<ActionOutcome> {
  const r = apiKeyInput.safeParse(input);
  if (!r.success) throw new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(r.error).fieldErrors);
  const data = r.data;
  return audited(ctx, async (tx) => {
    const key = generateKey();
    const row = await tx.apiKey.create({
      data: {
        name: data.name,
        prefix: key.prefix,
        secretHash: key.secretHash,
        scopes: data.scopes,
        rateLimitPerMinute: data.rateLimitPerMinute,
        createdById: ctx.actorId,
      },
      select: { id: true },
    });
    return {
      applied: true,
      message: `Key ${data.name} created. Copy it now: it is shown only once.`,
      action: "api_key.create",
      targetType: "api_key",
      targetId: row.id,
      data: { name: data.name, prefix: key.prefix, scopes: data.scopes, rateLimitPerMinute: data.rateLimitPerMinute },
      secret: key.secret,
    };
  });
}

/**
 * A key made by the operator on the command line (`npm run api-key`, `npm run example:host`):
 * no admin session, so the audit row has no actor and says so. The secret is in the answer only.
 */
export async function createApiKeyByOperator(input: ApiKeyInput, reason: string): Promise<{ id: string; prefix: string; secret: string }> {
  const r = apiKeyInput.safeParse(input);
  if (!r.success) throw new AppError("validation_failed", r.error.issues[0]?.message ?? "Invalid key.");
  const data = r.data;
  const key = generateKey();
  return db.$transaction(async (tx) => {
    const row = await tx.apiKey.create({
      data: { name: data.name, prefix: key.prefix, secretHash: key.secretHash, scopes: data.scopes, rateLimitPerMinute: data.rateLimitPerMinute },
      select: { id: true },
    });
    await tx.auditLog.create({
      data: {
        actorId: null,
        action: "api_key.create",
        targetType: "api_key",
        targetId: row.id,
        reason,
        data: { name: data.name, prefix: key.prefix, scopes: data.scopes, rateLimitPerMinute: data.rateLimitPerMinute, via: "command line" },
      },
    });
    return { id: row.id, prefix: key.prefix, secret: key.secret };
  });
}

export async function revokeApiKey(ctx: ActionContext, keyId: string, now = new Date()): Promise<ActionOutcome> {
  return audited(ctx, async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: keyId }, select: { name: true, prefix: true } });
    if (!key) throw new AppError("not_found", "No such API key.");
    const changed = await tx.apiKey.updateMany({ where: { id: keyId, revokedAt: null }, data: { revokedAt: now } });
    if (changed.count === 0) return { applied: false, message: `Key ${key.name} was already revoked.` };
    return {
      applied: true,
      message: `Key ${key.name} (${key.prefix}) revoked: requests with it now get 401.`,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: keyId,
      data: { prefix: key.prefix },
    };
  });
}

// Webhook endpoints (created by hosts through the API): admins see each endpoint's recent
// deliveries and their last attempt, redeliver one (a new attempt now, the same webhook-id)
// and turn a disabled endpoint back on. Both actions are audited.

export const listWebhookEndpoints = () => endpointsWithDeliveries({ deliveries: 20 });

export async function redeliverWebhook(ctx: ActionContext, deliveryId: string, opts: { fetch?: WebhookFetch; now?: Date } = {}): Promise<ActionOutcome> {
  const seen = await precheck(ctx);
  if (seen) return seen;
  const d = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, select: { endpointId: true, eventId: true } });
  if (!d) throw new AppError("not_found", "No such delivery.");
  const r = await redeliver(deliveryId, { actorId: ctx.actorId, ...opts });
  const message = r.ok
    ? `Redelivered: answered ${r.statusCode} in ${r.latencyMs} ms.`
    : `Redelivered; it failed again: ${r.statusCode ? `HTTP ${r.statusCode}` : (r.error ?? "no answer")}.`;
  const out = await audited(ctx, async () => ({
    applied: true,
    message,
    action: "webhook_delivery.redeliver",
    targetType: "webhook_endpoint",
    targetId: d.endpointId,
    data: { deliveryId, eventId: d.eventId, ok: r.ok, statusCode: r.statusCode, error: r.error },
  }));
  return { ...out, message: out.applied ? message : out.message };
}

export async function enableWebhookEndpoint(ctx: ActionContext, endpointId: string, now = new Date()): Promise<ActionOutcome> {
  const seen = await precheck(ctx);
  if (seen) return seen;
  if (!(await enableEndpoint(endpointId, now))) return { applied: false, message: "The endpoint is not disabled." };
  return audited(ctx, async () => ({
    applied: true,
    message: "Endpoint enabled: its undelivered events are sent again now.",
    action: "webhook_endpoint.enable",
    targetType: "webhook_endpoint",
    targetId: endpointId,
  }));
}
