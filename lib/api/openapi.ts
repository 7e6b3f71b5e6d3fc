import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { HOST_EVENT_TYPES } from "@/lib/host/event-types";
import {
  apiError,
  checkoutSessionInput,
  checkoutSessionView,
  customerInput,
  customerParams,
  customerView,
  debitInput,
  eventsQuery,
  eventView,
  grantInput,
  ledgerEntryView,
  listOf,
  listQuery,
  packageView,
  sessionParams,
  sessionsQuery,
  webhookEndpoint,
  webhookEndpointDeleted,
  webhookEndpointInput,
  webhookEndpointParams,
  webhookEndpointRotateInput,
  webhookPayload,
} from "./v1-schemas";
import { z } from "./zod";

// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate
// with (lib/api/v1-schemas.ts). Served at GET /api/v1/openapi.json and rendered at /docs/api;
// lib/api/openapi.test.ts fails when a route under app/api/v1 is missing here, and
// `npm test` lints the document with Redocly.

type Scope = "read" | "checkouts:write" | "credits:write" | "webhooks:write";

interface Route {
  method: "get" | "post" | "delete";
  /** OpenAPI path ({param}), relative to /api/v1. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  scope: Scope;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  idempotency?: "required" | "optional";
  status?: 200 | 201;
  response: z.ZodType;
  /** The answer is a page of `response` items (cursor pagination). */
  list?: boolean;
  /** Error statuses this operation answers beyond 400/401/403/429. */
  errors?: number[];
}

export const ROUTES: Route[] = [
  {
    method: "get",
    path: "/packages",
    operationId: "listPackages",
    tag: "Packages",
    summary: "List the packages on sale",
    scope: "read",
    response: packageView,
    list: true,
  },
  {
    method: "post",
    path: "/checkout-sessions",
    operationId: "createCheckoutSession",
    tag: "Checkout sessions",
    summary: "Create a hosted checkout session",
    description:
      "A hosted checkout for one customer: a `package`, or the host's own `amount` (minor units; satoshis for BTC), `currency`, `credits` (0 allowed: a plain payment) and `description`. Redirect the buyer to `url`; once credited they come back to `success_url?session_id=…`.",
    scope: "checkouts:write",
    body: checkoutSessionInput,
    idempotency: "optional",
    status: 201,
    response: checkoutSessionView,
    errors: [404],
  },
  {
    method: "get",
    path: "/checkout-sessions",
    operationId: "listCheckoutSessions",
    tag: "Checkout sessions",
    summary: "List checkout sessions (every attempt for one reference)",
    scope: "read",
    query: sessionsQuery,
    response: checkoutSessionView,
    list: true,
  },
  {
    method: "get",
    path: "/checkout-sessions/{id}",
    operationId: "getCheckoutSession",
    tag: "Checkout sessions",
    summary: "Retrieve a checkout session and its checkout attempts",
    scope: "read",
    params: sessionParams,
    response: checkoutSessionView,
    errors: [404],
  },
  {
    method: "post",
    path: "/customers",
    operationId: "upsertCustomer",
    tag: "Customers",
    summary: "Create a customer (or update its email and name) by your own id",
    scope: "credits:write",
    body: customerInput,
    idempotency: "optional",
    response: customerView,
  },
  {
    method: "get",
    path: "/customers/{external_id}",
    operationId: "getCustomer",
    tag: "Customers",
    summary: "Retrieve a customer and their credit balance",
    scope: "read",
    params: customerParams,
    response: customerView,
    errors: [404],
  },
  {
    method: "get",
    path: "/customers/{external_id}/ledger",
    operationId: "listCustomerLedger",
    tag: "Customers",
    summary: "List a customer's credit movements, newest first",
    scope: "read",
    params: customerParams,
    query: listQuery,
    response: ledgerEntryView,
    list: true,
    errors: [404],
  },
  {
    method: "post",
    path: "/customers/{external_id}/debits",
    operationId: "debitCustomer",
    tag: "Credits",
    summary: "Spend a customer's credits",
    description: "Never takes a balance below zero: a short balance answers 402 `insufficient_credits`. Requires an Idempotency-Key.",
    scope: "credits:write",
    params: customerParams,
    body: debitInput,
    idempotency: "required",
    status: 201,
    response: ledgerEntryView,
    errors: [402, 404],
  },
  {
    method: "post",
    path: "/customers/{external_id}/grants",
    operationId: "grantCustomer",
    tag: "Credits",
    summary: "Give a customer promotional or manual credits",
    description: "Requires an Idempotency-Key.",
    scope: "credits:write",
    params: customerParams,
    body: grantInput,
    idempotency: "required",
    status: 201,
    response: ledgerEntryView,
    errors: [404],
  },
  {
    method: "get",
    path: "/events",
    operationId: "listEvents",
    tag: "Events",
    summary: "List events, newest first",
    description: `For hosts that poll or missed a webhook. Types: ${HOST_EVENT_TYPES.join(", ")}.`,
    scope: "read",
    query: eventsQuery,
    response: eventView,
    list: true,
  },
  {
    method: "post",
    path: "/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    tag: "Webhook endpoints",
    summary: "Register a URL that receives signed events",
    description: "Signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature). The `whsec_` secret is in this answer only.",
    scope: "webhooks:write",
    body: webhookEndpointInput,
    idempotency: "optional",
    status: 201,
    response: webhookEndpoint,
  },
  {
    method: "get",
    path: "/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    tag: "Webhook endpoints",
    summary: "List webhook endpoints (without secrets)",
    scope: "read",
    query: listQuery,
    response: webhookEndpoint,
    list: true,
  },
  {
    method: "get",
    path: "/webhook-endpoints/{id}",
    operationId: "getWebhookEndpoint",
    tag: "Webhook endpoints",
    summary: "Retrieve a webhook endpoint",
    scope: "read",
    params: webhookEndpointParams,
    response: webhookEndpoint,
    errors: [404],
  },
  {
    method: "delete",
    path: "/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    tag: "Webhook endpoints",
    summary: "Delete a webhook endpoint",
    scope: "webhooks:write",
    params: webhookEndpointParams,
    response: webhookEndpointDeleted,
    errors: [404],
  },
  {
    method: "post",
    path: "/webhook-endpoints/{id}/rotate",
    operationId: "rotateWebhookEndpointSecret",
    tag: "Webhook endpoints",
    summary: "Rotate an endpoint's signing secret",
    description: "The new secret is in this answer only; the previous one keeps signing beside it for `expires_in` seconds.",
    scope: "webhooks:write",
    params: webhookEndpointParams,
    body: webhookEndpointRotateInput,
    idempotency: "optional",
    response: webhookEndpoint,
    errors: [404],
  },
];

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request: `error.param` names the field.",
  401: "No API key, or an unknown or revoked one.",
  402: "The customer's balance is short (`insufficient_credits`).",
  403: "The key lacks the scope this operation needs.",
  404: "No such resource.",
  409: "A request with the same Idempotency-Key is still in progress.",
  422: "The Idempotency-Key was used with a different body (`idempotency_key_reused`).",
  429: "Rate limited: retry after the Retry-After header's seconds.",
};

export function openApiDocument(serverUrl = "/api/v1") {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key from /admin/developers: `Authorization: Bearer sk_…`.",
  });
  const errorSchema = registry.register("Error", apiError);
  // Named components: a generated client (openapi-typescript) gets components["schemas"]["Customer"], …
  const named = new Map<z.ZodType, z.ZodType>(
    (
      [
        ["Package", packageView],
        ["Customer", customerView],
        ["LedgerEntry", ledgerEntryView],
        ["CheckoutSession", checkoutSessionView],
        ["Event", eventView],
        ["WebhookEndpoint", webhookEndpoint],
        ["WebhookEndpointDeleted", webhookEndpointDeleted],
      ] as const
    ).map(([name, schema]) => [schema, registry.register(name, schema)]),
  );
  const json = (schema: z.ZodType) => ({ "application/json": { schema } });
  const errorResponse = (status: number) => ({
    description: ERROR_TEXT[status] ?? "Error.",
    content: json(errorSchema),
    ...(status === 429
      ? { headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" as const } } } }
      : status === 401
        ? { headers: { "WWW-Authenticate": { description: "Bearer", schema: { type: "string" as const } } } }
        : {}),
  });

  const item = (r: Route) => {
    const one = named.get(r.response) ?? r.response;
    return r.list ? listOf(one) : one;
  };

  for (const r of ROUTES) {
    const statuses = [400, 401, 403, 429, ...(r.errors ?? []), ...(r.idempotency ? [409, 422] : [])].sort();
    const headers = r.idempotency
      ? z.object({
          "Idempotency-Key": (r.idempotency === "required" ? z.string() : z.string().optional()).describe(
            "Up to 255 characters. The first answer is stored for at least 24 h and returned again for the same key and body.",
          ),
        })
      : undefined;
    const config: RouteConfig = {
      method: r.method,
      path: r.path,
      operationId: r.operationId,
      tags: [r.tag],
      summary: r.summary,
      description: [r.description, `Scope: \`${r.scope}\`.`].filter(Boolean).join("\n\n"),
      security: [{ bearerAuth: [] }],
      request: {
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(headers ? { headers } : {}),
        ...(r.body ? { body: { required: true, content: json(r.body) } } : {}),
      },
      responses: {
        [r.status ?? 200]: { description: "OK.", content: json(item(r)) },
        ...Object.fromEntries([...new Set(statuses)].map((s) => [s, errorResponse(s)])),
      },
    };
    registry.registerPath(config);
  }

  registry.registerWebhook({
    method: "post",
    path: "event",
    operationId: "receiveEvent",
    summary: "An event POSTed to your webhook endpoint",
    description:
      "Headers webhook-id (the same on every retry), webhook-timestamp and webhook-signature (`v1,<base64 HMAC-SHA256>`), per Standard Webhooks: verify with the `standardwebhooks` library and your endpoint's `whsec_` secret. Answer 2xx within 10 s; other answers are retried with backoff for about 3 days.",
    request: { body: { content: json(webhookPayload) } },
    responses: { 200: { description: "Received." } },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Satchel API",
      version: "1.0.0",
      description:
        "Sell, read and spend credits from your own application. JSON; amounts in minor units, credits whole; cursor pagination with `limit`, `starting_after` and `has_more`; errors as `{error:{type,code,message,param}}`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(ROUTES.map((r) => r.tag))].map((name) => ({ name, description: `${name} of /api/v1.` })),
  });
}
