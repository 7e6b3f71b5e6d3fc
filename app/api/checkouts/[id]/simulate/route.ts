import { z } from "zod";
import { idParam, route } from "@/lib/api/handler";
import { checkoutView } from "@/lib/checkouts/view";
import { AppError } from "@/lib/errors";
import { observeBtcCheckout } from "@/lib/rails/bitcoin/observe";
import { simulate } from "@/lib/rails/bitcoin/sandbox/controls";

const body = z.discriminatedUnion("action", [
  z.object({ action: z.literal("pay"), mode: z.enum(["exact", "less", "more"]) }),
  z.object({ action: z.literal("mine"), blocks: z.number().int().min(1).max(10) }),
]);

// POST /api/checkouts/[id]/simulate — regtest simulator controls (owner or admin; simulator only).
export const POST = route({ access: "user", params: idParam, body }, async ({ user, params, body }) => {
  const view = await checkoutView(params.id, user);
  if (!view?.simulator) throw new AppError("not_found", "No such checkout.");
  const result = await simulate(view, body);
  // The simulator is the chain here, and a chain that changed tells us (as Electrum's notify
  // would): observe now so the page reacts at once.
  await observeBtcCheckout(params.id).catch(() => undefined);
  return result;
});
