import { z } from "zod";
import { readText, route } from "@/lib/api/handler";
import { receiveProviderWebhook, webhookFor } from "@/lib/webhooks/entry";

export const dynamic = "force-dynamic";

const params = z.object({ path: z.array(z.string().min(1).max(200)).min(1).max(4) });

// POST /api/webhooks/<provider>/… — every provider's webhook: /api/webhooks/mpesa/<token>
// (Daraja's STK callback), /api/webhooks/neobank (the gateway's signed status reports),
// /api/webhooks/interledger (Rafiki's signed events), /api/webhooks/electrum/<token>
// (Electrum `notify`). Raw body → the rail's verify → inbox row → facts → the checkout core.
export const POST = route({ access: "public", params }, async ({ req, params }) => {
  const [provider, ...path] = params.path;
  const hook = webhookFor(provider!);
  const body = await readText(req, hook.maxBody);
  const r = await receiveProviderWebhook(hook, { headers: req.headers, body, path });
  return Response.json(r.body, { status: r.status });
});
