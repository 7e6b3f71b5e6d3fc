import { metricsAccess, prometheusText } from "@/lib/admin/prometheus";
import { route } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// GET /api/metrics — Prometheus text for a scraper holding METRICS_TOKEN (Bearer); 404 when unset.
export const GET = route({ access: "public" }, async ({ req }) => {
  const access = metricsAccess(req.headers.get("authorization"));
  if (access === "disabled") throw new AppError("not_found", "Not found.");
  if (access === "unauthorized")
    return new Response(JSON.stringify({ error: { code: "unauthenticated", message: "Send Authorization: Bearer <METRICS_TOKEN>." } }), {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" },
    });
  const { contentType, body } = await prometheusText();
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
});
