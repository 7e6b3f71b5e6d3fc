import { idParam, route } from "@/lib/api/handler";
import { retryMpesaCheckout } from "@/lib/rails/mpesa/rail";

// POST /api/checkouts/[id]/mpesa/retry — "Try again": a new prompt for the same package and phone (owner only).
export const POST = route({ access: "user", params: idParam }, async ({ user, params }) => {
  const { checkoutId } = await retryMpesaCheckout(params.id, user.id);
  return Response.json({ id: checkoutId, url: `/checkout/${checkoutId}` }, { status: 201 });
});
