import { idParam, route } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { mpesaDetails } from "@/lib/rails/mpesa/view";

export const dynamic = "force-dynamic";

// GET /api/checkouts/[id]/mpesa — the M-Pesa panel's details (masked phone, receipt, failure message).
export const GET = route({ access: "user", params: idParam }, async ({ user, params }) => {
  const details = await mpesaDetails(params.id, user);
  if (!details) throw new AppError("not_found", "No such checkout.");
  return Response.json(details, { headers: { "cache-control": "no-store" } });
});
