import { readText, route } from "@/lib/api/handler";
import { handleNeobankWebhook, MAX_NEOBANK_BODY } from "@/lib/rails/neobank/webhook";

export const dynamic = "force-dynamic";

// POST /api/webhooks/neobank — NEO Bank / Bill Bitts payment status webhooks (README: "NEO Bank gateway webhook contract").
export const POST = route({ access: "public" }, async ({ req }) => {
  const body = await readText(req, MAX_NEOBANK_BODY);
  const r = await handleNeobankWebhook(req.headers, body);
  // 503 asks the gateway to retry a delivery we stored but could not process yet.
  return Response.json({ ok: r.status !== "failed", id: r.id, status: r.status, duplicate: r.duplicate }, { status: r.status === "failed" ? 503 : 200 });
});
