import { v1 } from "@/lib/api/v1";
import { customerParams } from "@/lib/api/v1-schemas";
import { customerView, requireCustomer } from "@/lib/host/customers";

// GET /api/v1/customers/{external_id} — the customer and their balance.
export const GET = v1({ scope: "read", params: customerParams }, async ({ params }) => customerView(await requireCustomer(params.external_id)));
