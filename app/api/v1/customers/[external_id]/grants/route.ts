import { v1 } from "@/lib/api/v1";
import { customerParams, grantInput } from "@/lib/api/v1-schemas";
import { grantCustomer } from "@/lib/host/credits";

// POST /api/v1/customers/{external_id}/grants — give promotional or manual credits.
export const POST = v1(
  { scope: "credits:write", params: customerParams, body: grantInput, idempotency: "required", status: 201 },
  // The movement's identity is the API key plus its Idempotency-Key: two keys never share a movement.
  async ({ params, body, idempotencyKey, key }) =>
    grantCustomer({ externalId: params.external_id, amount: body.amount, key: `${key.id}:${idempotencyKey}`, reason: body.reason, metadata: body.metadata }),
);
