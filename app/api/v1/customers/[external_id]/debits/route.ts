import { v1 } from "@/lib/api/v1";
import { customerParams, debitInput } from "@/lib/api/v1-schemas";
import { debitCustomer } from "@/lib/host/credits";

// POST /api/v1/customers/{external_id}/debits — spend credits (402 when the balance is short).
export const POST = v1(
  { scope: "credits:write", params: customerParams, body: debitInput, idempotency: "required", status: 201 },
  async ({ params, body, idempotencyKey }) =>
    debitCustomer({ externalId: params.external_id, amount: body.amount, key: idempotencyKey!, description: body.description, metadata: body.metadata }),
);
