import { idParam, route } from "@/lib/api/handler";
import { resendCheckout } from "@/lib/checkouts/actions";

// POST /api/checkouts/[id]/mpesa/resend — "Didn't get the prompt? Send it again" (owner only;
// 409 while M-Pesa still holds the first prompt open).
export const POST = route({ access: "checkout", params: idParam }, async ({ user, params }) => {
  const { checkoutId } = await resendCheckout(params.id, user.id);
  return Response.json({ id: checkoutId, url: `/checkout/${checkoutId}` }, { status: checkoutId === params.id ? 200 : 201 });
});
