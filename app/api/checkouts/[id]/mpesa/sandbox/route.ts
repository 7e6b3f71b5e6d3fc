import { z } from "zod";
import { idParam, route } from "@/lib/api/handler";
import { sandboxAct } from "@/lib/rails/mpesa/view";

const body = z.object({ action: z.enum(["approve", "cancel", "wrong_pin", "insufficient_funds"]) });

// POST /api/checkouts/[id]/mpesa/sandbox — the local sandbox's buyer answers the prompt (owner only; 404 unless the local fake serves it).
export const POST = route({ access: "user", params: idParam, body }, async ({ user, params, body }) => sandboxAct(params.id, user.id, body.action));
