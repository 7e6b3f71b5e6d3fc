import { list, v1 } from "@/lib/api/v1";
import { listQuery, webhookEndpointInput } from "@/lib/api/v1-schemas";
import { createEndpoint, listEndpoints } from "@/lib/host/webhooks";

// POST /api/v1/webhook-endpoints — a URL that receives the chosen events, signed per Standard Webhooks; the secret is in this answer only.
export const POST = v1({ scope: "webhooks:write", body: webhookEndpointInput, idempotency: "optional", status: 201 }, async ({ body, key }) =>
  createEndpoint({ url: body.url, description: body.description, enabledEvents: body.enabled_events, keyId: key.id }),
);

// GET /api/v1/webhook-endpoints — newest first, without secrets.
export const GET = v1({ scope: "read", query: listQuery }, async ({ query }) =>
  list("/api/v1/webhook-endpoints", await listEndpoints({ limit: query.limit, startingAfter: query.starting_after })),
);
