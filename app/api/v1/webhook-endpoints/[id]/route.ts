import { v1 } from "@/lib/api/v1";
import { webhookEndpointParams } from "@/lib/api/v1-schemas";
import { deleteEndpoint, getEndpoint } from "@/lib/host/webhooks";

// GET /api/v1/webhook-endpoints/{id} — the endpoint, its status and since when it fails (never its secret).
export const GET = v1({ scope: "read", params: webhookEndpointParams }, async ({ params }) => getEndpoint(params.id));

// DELETE /api/v1/webhook-endpoints/{id} — no more deliveries to it.
export const DELETE = v1({ scope: "webhooks:write", params: webhookEndpointParams }, async ({ params }) => deleteEndpoint(params.id));
