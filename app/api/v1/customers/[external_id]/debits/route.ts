import { v1 } from "@/lib/api/v1";
import { customerParams, debitInput } from "@/lib/api/v1-schemas";
import { debitCustomer } from "@/lib/host/credits";

// POST /api/v1/customers/{external_id}/debits — spend credits (402 when the balance is short).
export const POST = v1(
  { scope: "credits:write", params: customerParams, body: debitInput, idempotency: "required", status: 201 },
  // The movement's identity is the API key plus its Idempotency-Key: two keys never share a movement.
  async ({ params, body, idempotencyKey, key }) =>
    debitCustomer({
      externalId: params.external_id,
      amount: body.amount,
      key: `${key.id}:${idempotencyKey}`,
      description: body.description,
      metadata: body.metadata,
    }),
);
