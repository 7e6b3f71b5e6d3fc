import { z } from "zod";
import { readText, route } from "@/lib/api/handler";
import { handleMpesaCallback, MAX_MPESA_BODY, MPESA_ACK } from "@/lib/rails/mpesa/webhook";

export const dynamic = "force-dynamic";

const params = z.object({ token: z.string().min(1).max(200) });

// POST /api/webhooks/mpesa/[token] — Daraja's M-Pesa Express (STK push) result callback.
// Stored in the webhook inbox, processed once, answered with Daraja's acknowledgement.
export const POST = route({ access: "public", params }, async ({ req, params }) => {
  const body = await readText(req, MAX_MPESA_BODY);
  await handleMpesaCallback(params.token, req.headers, body);
  return Response.json(MPESA_ACK);
});
