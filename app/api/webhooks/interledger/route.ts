import { readText, route } from "@/lib/api/handler";
import { handleInterledgerWebhook, MAX_INTERLEDGER_BODY } from "@/lib/rails/interledger/webhook";

export const dynamic = "force-dynamic";

// POST /api/webhooks/interledger — Rafiki webhook events (Rafiki-Signature, OPEN_PAYMENTS_WEBHOOK_SECRET).
export const POST = route({ access: "public" }, async ({ req }) => {
  const body = await readText(req, MAX_INTERLEDGER_BODY);
  const r = await handleInterledgerWebhook(req.headers, body);
  // Rafiki retries anything but 200: a stored event we could not process yet asks for that.
  return Response.json({ ok: r.status !== "failed", id: r.id, status: r.status, duplicate: r.duplicate }, { status: r.status === "failed" ? 503 : 200 });
});
