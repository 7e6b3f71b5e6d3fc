import { z } from "zod";
import { idParam, route } from "@/lib/api/handler";
import { sandboxAction } from "@/lib/checkouts/actions";

const body = z.discriminatedUnion("action", [
  z.object({ action: z.literal("pay"), mode: z.enum(["exact", "less", "more"]) }),
  z.object({ action: z.literal("mine"), blocks: z.number().int().min(1).max(10) }),
]);

// POST /api/checkouts/[id]/simulate — regtest simulator controls (owner or admin; simulator only).
export const POST = route({ access: "checkout", params: idParam, body }, async ({ user, params, body }) =>
  sandboxAction(params.id, user, body, { rail: "btc", adminAllowed: true }),
);
