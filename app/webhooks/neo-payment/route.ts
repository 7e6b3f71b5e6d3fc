import { readText, route } from "@/lib/api/handler";
import { receiveProviderWebhook, webhookFor } from "@/lib/webhooks/entry";

export const dynamic = "force-dynamic";

// POST /webhooks/neo-payment/ — the NEO Bank / Bill Bitts gateway's webhook path of the user's
// earlier integration (NEOBANK_MODE=compat): the unsigned {cprn, status, amount, tx_id,
// currency} body, stored in the inbox and confirmed by our own signed status query before
// anything moves (lib/rails/neobank/webhook.ts). With the trailing slash exactly as the gateway
// is configured (proxy.ts lets this one path keep it) and without. NEOBANK_MODE=signed → 404
// saying so.
export const POST = route({ access: "public" }, async ({ req }) => {
  const hook = webhookFor("neobank");
  const body = await readText(req, hook.maxBody);
  const r = await receiveProviderWebhook(hook, { headers: req.headers, body, path: ["neo-payment"] });
  return Response.json(r.body, { status: r.status });
});
