import { NextResponse } from "next/server";
import { route } from "@/lib/api/handler";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

// GET /api/health — database reachable, version. 503 when the database is not.
export const GET = route({ access: "public" }, async () => {
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.status === "ok" ? 200 : 503 });
});
