import { idParam, route } from "@/lib/api/handler";
import { retryCheckout } from "@/lib/checkouts/actions";

// POST /api/checkouts/[id]/mpesa/retry — "Try again": a new prompt for the same package and phone (owner only).
export const POST = route({ access: "checkout", params: idParam }, async ({ user, params }) => {
  const { checkoutId } = await retryCheckout(params.id, user.id);
  return Response.json({ id: checkoutId, url: `/checkout/${checkoutId}` }, { status: 201 });
});
