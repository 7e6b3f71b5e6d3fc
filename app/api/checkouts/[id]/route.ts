import { idParam, route } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { liveCheckout } from "@/lib/lifecycle/live";

export const dynamic = "force-dynamic";

// GET /api/checkouts/[id] — the live status the checkout page polls (owner or admin only).
export const GET = route({ access: "checkout", params: idParam }, async ({ user, params }) => {
  const view = await liveCheckout(params.id, user);
  if (!view) throw new AppError("not_found", "No such checkout.");
  return Response.json(view, { headers: { "cache-control": "no-store" } });
});
