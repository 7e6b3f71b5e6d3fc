import "server-only";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import pkg from "@/package.json" with { type: "json" };

export interface Health {
  status: "ok" | "degraded";
  version: string;
  database: { ok: boolean; mode: "postgres" | "embedded"; latencyMs?: number; error?: string };
}

export async function checkHealth(): Promise<Health> {
  const mode = env().embedded ? "embedded" : "postgres";
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
    return { status: "ok", version: pkg.version, database: { ok: true, mode, latencyMs: Math.round(performance.now() - started) } };
  } catch {
    return { status: "degraded", version: pkg.version, database: { ok: false, mode, error: "database unreachable" } };
  }
}
