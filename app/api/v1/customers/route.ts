import { v1 } from "@/lib/api/v1";
import { customerInput } from "@/lib/api/v1-schemas";
import { customerView, upsertCustomer } from "@/lib/host/customers";

// POST /api/v1/customers — create (or update the email/name of) the customer with this external_id.
export const POST = v1({ scope: "credits:write", body: customerInput, idempotency: "optional" }, async ({ body }) =>
  customerView(await upsertCustomer({ externalId: body.external_id, email: body.email, name: body.name })),
);
