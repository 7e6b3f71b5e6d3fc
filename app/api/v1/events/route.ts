import { list, v1 } from "@/lib/api/v1";
import { eventsQuery } from "@/lib/api/v1-schemas";
import { listHostEvents } from "@/lib/host/events";

// GET /api/v1/events — every event, newest first (for hosts that poll or missed a webhook).
export const GET = v1({ scope: "read", query: eventsQuery }, async ({ query }) =>
  list(
    "/api/v1/events",
    await listHostEvents({
      limit: query.limit,
      startingAfter: query.starting_after,
      types: query.type === undefined ? undefined : Array.isArray(query.type) ? query.type : [query.type],
      customer: query.customer,
    }),
  ),
);
