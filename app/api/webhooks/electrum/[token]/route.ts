import { z } from "zod";
import { readText, route } from "@/lib/api/handler";
import { handleElectrumNotify, MAX_ELECTRUM_BODY } from "@/lib/rails/bitcoin/webhook";

export const dynamic = "force-dynamic";

const params = z.object({ token: z.string().min(1).max(200) });

// POST /api/webhooks/electrum/[token] — Electrum `notify` callbacks (address status changed).
export const POST = route({ access: "public", params }, async ({ req, params }) => {
  const body = await readText(req, MAX_ELECTRUM_BODY);
  const r = await handleElectrumNotify(params.token, req.headers, body);
  return Response.json({ ok: r.status !== "failed", id: r.id, status: r.status, duplicate: r.duplicate }, { status: r.status === "failed" ? 503 : 200 });
});
