import { z } from "zod";
import { lastDays, metrics, openExceptions, systemStatus } from "@/lib/admin/metrics";
import { route } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

const query = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

// GET /api/admin/metrics?days=30 — the overview's figures, polled by its charts (admins only).
export const GET = route({ access: "admin" }, async ({ req }) => {
  const { days } = query.parse(Object.fromEntries(new URL(req.url).searchParams));
  const [m, system, exceptions] = await Promise.all([metrics(lastDays(days)), systemStatus(), openExceptions(10)]);
  return Response.json({ metrics: m, system, exceptions, at: new Date().toISOString() }, { headers: { "cache-control": "no-store" } });
});
