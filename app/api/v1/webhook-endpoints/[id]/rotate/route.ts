import { v1 } from "@/lib/api/v1";
import { webhookEndpointParams, webhookEndpointRotateInput } from "@/lib/api/v1-schemas";
import { rotateSecret } from "@/lib/host/webhooks";

// POST /api/v1/webhook-endpoints/{id}/rotate — a new secret (in this answer only); the old one keeps signing beside it for expires_in seconds.
export const POST = v1(
  { scope: "webhooks:write", params: webhookEndpointParams, body: webhookEndpointRotateInput, idempotency: "optional" },
  async ({ params, body }) => rotateSecret(params.id, body.expires_in),
);
