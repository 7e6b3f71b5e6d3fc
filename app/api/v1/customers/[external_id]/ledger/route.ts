import { list, v1 } from "@/lib/api/v1";
import { customerParams, listQuery } from "@/lib/api/v1-schemas";
import { customerLedger } from "@/lib/host/credits";

// GET /api/v1/customers/{external_id}/ledger — every credit movement, newest first.
export const GET = v1({ scope: "read", params: customerParams, query: listQuery }, async ({ params, query }) =>
  list(`/api/v1/customers/${params.external_id}/ledger`, await customerLedger(params.external_id, { limit: query.limit, startingAfter: query.starting_after })),
);
