import { z } from "zod";
import { route } from "@/lib/api/handler";
import { createBtcCheckout } from "@/lib/rails/bitcoin/create";

const body = z.object({
  packageId: z.string().min(1).max(100),
  rail: z.literal("btc"),
});

// POST /api/checkouts — start a checkout for a package on a rail.
export const POST = route({ access: "user", body }, async ({ user, body }) => {
  const { id } = await createBtcCheckout(user.id, body.packageId);
  return Response.json({ id, url: `/checkout/${id}` }, { status: 201 });
});
