import { list, v1 } from "@/lib/api/v1";
import { checkoutSessionInput, sessionsQuery } from "@/lib/api/v1-schemas";
import { createSession, listSessions } from "@/lib/host/sessions";

// POST /api/v1/checkout-sessions — a hosted checkout for a customer: a package or the host's own amount (fiat or BTC).
export const POST = v1({ scope: "checkouts:write", body: checkoutSessionInput, idempotency: "optional", status: 201 }, async ({ body }) =>
  createSession({
    customer: { externalId: body.customer.external_id, email: body.customer.email, name: body.customer.name },
    package: body.package,
    amount: body.amount,
    currency: body.currency,
    credits: body.credits,
    description: body.description,
    rails: body.rails,
    reference: body.reference,
    metadata: body.metadata,
    successUrl: body.success_url,
    cancelUrl: body.cancel_url,
  }),
);

// GET /api/v1/checkout-sessions — newest first; ?reference= lists every attempt for one of the host's orders.
export const GET = v1({ scope: "read", query: sessionsQuery }, async ({ query }) =>
  list(
    "/api/v1/checkout-sessions",
    await listSessions({ limit: query.limit, startingAfter: query.starting_after, reference: query.reference, customer: query.customer }),
  ),
);
