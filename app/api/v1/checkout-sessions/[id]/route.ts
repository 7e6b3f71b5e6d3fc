import { v1 } from "@/lib/api/v1";
import { sessionParams } from "@/lib/api/v1-schemas";
import { getSession } from "@/lib/host/sessions";

// GET /api/v1/checkout-sessions/{id} — the session, its status and every checkout attempt.
export const GET = v1({ scope: "read", params: sessionParams }, async ({ params }) => getSession(params.id));
