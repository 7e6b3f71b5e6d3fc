import { HOST_EVENT_TYPES } from "@/lib/host/event-types";
import { z } from "./zod";

// The zod schemas of /api/v1: the routes validate with these, and the OpenAPI document is
// generated from them, so the two cannot drift apart.

export const externalId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@-]+$/, "Letters, digits and . _ : @ - only.");

export const customerParams = z.object({ external_id: externalId });

export const metadata = z.record(z.string().min(1).max(40), z.string().max(500)).refine((m) => Object.keys(m).length <= 50, "At most 50 metadata keys.");

export const customerInput = z.object({
  external_id: externalId,
  email: z.email().max(320).optional(),
  name: z.string().trim().min(1).max(200).optional(),
});

/** Whole credits a host moves in one request. */
const credits = z.number().int("A whole number of credits.").positive("More than 0.").max(100_000_000);

export const debitInput = z.object({
  amount: credits,
  description: z.string().trim().max(500).optional(),
  metadata: metadata.optional(),
});

export const grantInput = z.object({
  amount: credits,
  reason: z.string().trim().min(1).max(500),
  metadata: metadata.optional(),
});

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().min(1).max(100).optional(),
});

export const eventsQuery = listQuery.extend({
  type: z.union([z.string().min(1).max(60), z.array(z.string().min(1).max(60)).max(20)]).optional(),
  customer: externalId.optional(),
});

const redirectUrl = z.url({ protocol: /^https?$/, message: "An absolute http(s) URL." }).max(2000);

export const checkoutSessionInput = z.object({
  customer: customerInput,
  /** A package (id or slug) — or the host's own amount, currency, credits and description. */
  package: z.string().min(1).max(100).optional(),
  amount: z.number().int("Minor units (cents, or satoshis for BTC): a whole number.").positive().max(2_000_000_000).optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "An ISO 4217 code, or BTC.")
    .transform((c) => c.toUpperCase())
    .optional(),
  credits: z.number().int().min(0).max(100_000_000).optional(),
  description: z.string().trim().min(1).max(200).optional(),
  rails: z.array(z.string().min(1).max(40)).max(10).optional(),
  reference: z.string().trim().min(1).max(200).optional(),
  metadata: metadata.optional(),
  success_url: redirectUrl,
  cancel_url: redirectUrl.optional(),
});

export const sessionParams = z.object({ id: z.string().regex(/^cs_[0-9a-f]{24}$/) });

export const sessionsQuery = listQuery.extend({
  reference: z.string().min(1).max(200).optional(),
  customer: externalId.optional(),
});

// ── Webhook endpoints (POST|GET|DELETE /api/v1/webhook-endpoints, POST …/{id}/rotate) ──

export const webhookEventType = z.enum(HOST_EVENT_TYPES);

export const webhookEndpointInput = z.object({
  /** Where events are POSTed: https on a public address (an operator setting allows local URLs in development). */
  url: z.url({ protocol: /^https?$/, message: "An absolute https URL." }).max(2000),
  description: z.string().trim().max(500).optional(),
  /** Event types to receive, or ["*"] for every type (the default). */
  enabled_events: z.union([z.array(z.literal("*")).length(1), z.array(webhookEventType).min(1).max(HOST_EVENT_TYPES.length)]).default(["*"]),
});

export const webhookEndpointParams = z.object({ id: z.string().regex(/^we_[0-9a-f]{24}$/) });

export const webhookEndpointRotateInput = z.object({
  /** How long the previous secret keeps signing beside the new one (seconds, default 24 h, 0 = retire it now). */
  expires_in: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(24 * 3600),
});

export const webhookEndpoint = z.object({
  id: z.string(),
  object: z.literal("webhook_endpoint"),
  url: z.string(),
  description: z.string().nullable(),
  enabled_events: z.array(z.string()),
  /** "disabled" after failing for the whole retry window (about 3 days), or by an admin. */
  status: z.enum(["enabled", "disabled"]),
  disabled_at: z.string().nullable(),
  /** When the current run of failed attempts began (null while deliveries succeed). */
  failing_since: z.string().nullable(),
  /** Until when the previous secret still signs beside the current one (rotation). */
  previous_secret_expires_at: z.string().nullable(),
  created_at: z.string(),
  /** `whsec_<base64>`: only in the answer to a create or a rotate, never again. */
  secret: z.string().optional(),
});
export type WebhookEndpointView = z.infer<typeof webhookEndpoint>;

export const webhookEndpointDeleted = z.object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) });

/** The body of every webhook delivery: the event exactly as GET /api/v1/events lists it. */
export const webhookPayload = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: webhookEventType,
  created_at: z.string(),
  data: z.object({ object: z.unknown() }),
});

// ── Answers (the OpenAPI document describes the responses with these) ──

const timestamp = z.string().describe("ISO 8601 timestamp (UTC).");
const stringMap = z.record(z.string(), z.string());

export const apiError = z.object({
  error: z.object({
    type: z.enum(["invalid_request_error", "authentication_error", "permission_error", "rate_limit_error", "idempotency_error", "api_error"]),
    code: z.string().describe("Machine-readable: parameter_invalid, parameter_missing, insufficient_credits, idempotency_key_reused, …"),
    message: z.string(),
    param: z.string().nullable().describe("The offending field, dotted for nested ones (customer.external_id), or null."),
  }),
});

export const packageView = z.object({
  id: z.string(),
  object: z.literal("package"),
  slug: z.string(),
  name: z.string(),
  credits: z.number().int(),
  amount: z.number().int().describe("Price in minor units of currency."),
  currency: z.string(),
});

export const customerView = z.object({
  object: z.literal("customer"),
  external_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  balance: z.number().int().describe("Whole credits."),
  created_at: timestamp,
});

export const ledgerEntryView = z.object({
  id: z.string(),
  object: z.literal("ledger_entry"),
  customer: z.string(),
  type: z.string().describe("debit, grant, purchase, refund, adjustment, …"),
  amount: z.number().int().describe("Signed whole credits (negative for a debit)."),
  balance_after: z.number().int(),
  description: z.string().nullable(),
  metadata: stringMap,
  reference: z.string().nullable(),
  created_at: timestamp,
});

const checkoutAttempt = z.object({
  id: z.string(),
  rail: z.string(),
  status: z.string(),
  exception: z.string().nullable(),
  amount_due: z.string().describe("In the rail's unit (satoshis, cents, …), as a decimal string."),
  amount_received: z.string(),
  unit: z.string(),
  created_at: timestamp,
  credited_at: timestamp.nullable(),
});

export const checkoutSessionView = z.object({
  id: z.string(),
  object: z.literal("checkout_session"),
  url: z.string().nullable().describe("The hosted checkout link: only in the answer to a create."),
  status: z.enum(["open", "complete", "expired"]),
  customer: z.string(),
  package: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  credits: z.number().int(),
  description: z.string(),
  rails: z.array(z.string()),
  reference: z.string().nullable(),
  metadata: stringMap,
  success_url: z.string(),
  cancel_url: z.string().nullable(),
  expires_at: timestamp,
  created_at: timestamp,
  checkouts: z.array(checkoutAttempt),
});

export const eventView = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: z.string(),
  created_at: timestamp,
  data: z.object({ object: z.record(z.string(), z.unknown()).describe("A checkout or a ledger_entry, with the reference and metadata.") }),
});

/** Cursor pagination: pass the last item's id as starting_after while has_more. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ object: z.literal("list"), url: z.string(), data: z.array(item), has_more: z.boolean() });
}
