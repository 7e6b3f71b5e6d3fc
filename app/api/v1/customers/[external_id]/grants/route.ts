import { v1 } from "@/lib/api/v1";
import { customerParams, grantInput } from "@/lib/api/v1-schemas";
import { grantCustomer } from "@/lib/host/credits";

// POST /api/v1/customers/{external_id}/grants — give promotional or manual credits.
export const POST = v1(
  { scope: "credits:write", params: customerParams, body: grantInput, idempotency: "required", status: 201 },
  async ({ params, body, idempotencyKey }) =>
    grantCustomer({ externalId: params.external_id, amount: body.amount, key: idempotencyKey!, reason: body.reason, metadata: body.metadata }),
);
