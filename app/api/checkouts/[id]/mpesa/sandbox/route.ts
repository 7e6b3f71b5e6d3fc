import { z } from "zod";
import { idParam, route } from "@/lib/api/handler";
import { sandboxAction } from "@/lib/checkouts/actions";

const body = z.object({ action: z.enum(["approve", "cancel", "wrong_pin", "insufficient_funds"]) });

// POST /api/checkouts/[id]/mpesa/sandbox — the local sandbox's buyer answers the prompt (owner only; 404 unless the local fake serves it).
export const POST = route({ access: "checkout", params: idParam, body }, async ({ user, params, body }) =>
  sandboxAction(params.id, user, body.action, { rail: "mpesa", adminAllowed: false }),
);
