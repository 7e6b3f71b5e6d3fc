import "server-only";
import { railAvailability } from "@/lib/availability";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { RAILS } from "@/lib/rails/registry";
import pkg from "@/package.json" with { type: "json" };

export interface Health {
  /** "degraded" only when the database is unreachable; a rail being down is reported under rails. */
  status: "ok" | "degraded";
  version: string;
  database: { ok: boolean; mode: "postgres" | "embedded"; latencyMs?: number; error?: string };
  /** Every configured rail: up, or down with the reason (its backend refusing or not answering). */
  rails: { rail: string; up: boolean; reason?: string }[];
}

export async function checkHealth(): Promise<Health> {
  const mode = env().embedded ? "embedded" : "postgres";
  const rails = Promise.all(
    RAILS.filter((r) => r.enabled()).map(async (r) => {
      const a = await railAvailability(r);
      return { rail: r.id, up: a.up, ...(a.reason ? { reason: a.reason } : {}) };
    }),
  );
  const started = performance.now();
  try {
    await db.$queryRaw`SELECT 1`;
    const database = { ok: true, mode, latencyMs: Math.round(performance.now() - started) } as const;
    return { status: "ok", version: pkg.version, database, rails: await rails };
  } catch {
    return { status: "degraded", version: pkg.version, database: { ok: false, mode, error: "database unreachable" }, rails: await rails };
  }
}
