import { z } from "zod";
import { route } from "@/lib/api/handler";
import { createCheckout } from "@/lib/checkouts/create";

const body = z.object({
  packageId: z.string().min(1).max(100),
  rail: z.literal("btc"),
});

// POST /api/checkouts — start a checkout for a package on a rail.
export const POST = route({ access: "user", body }, async ({ user, body }) => {
  const { checkoutId: id } = await createCheckout({ rail: body.rail, userId: user.id, packageId: body.packageId });
  return Response.json({ id, url: `/checkout/${id}` }, { status: 201 });
});
