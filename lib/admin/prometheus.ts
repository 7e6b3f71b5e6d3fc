import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { Gauge, Registry } from "prom-client";
import { CREDITED_STATUSES } from "@/lib/checkouts/statuses";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { metrics } from "@/lib/metrics";

// GET /api/metrics: the Prometheus text. Figures that must agree across instances (checkouts
// by rail and status, credits, the admin worklist, unsent outbox rows) are read from the
// database at scrape time, so every instance answers the same; the process's own counters
// and histograms (lib/metrics.ts) follow. Behind METRICS_TOKEN: unset, the endpoint does not
// exist (404); set, a scrape without "Authorization: Bearer <token>" gets 401.

export type MetricsAccess = "disabled" | "unauthorized" | "ok";

export function metricsAccess(authorization: string | null): MetricsAccess {
  const token = env().METRICS_TOKEN;
  if (!token) return "disabled";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) return "unauthorized";
  // Compared as digests: constant time, whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token)) ? "ok" : "unauthorized";
}

export async function prometheusText(): Promise<{ contentType: string; body: string }> {
  const scrape = new Registry();
  const gauge = (name: string, help: string, labelNames: string[]) => new Gauge({ name, help, labelNames, registers: [scrape] });
  const checkouts = gauge("satchel_checkouts", "Checkouts by rail and status (from the database).", ["rail", "status"]);
  const credits = gauge("satchel_credits_credited", "Credits credited to buyers, by rail (from the database).", ["rail"]);
  const attention = gauge("satchel_checkouts_needing_attention", "Checkouts on the admin worklist (from the database).", []);
  const unsent = gauge("satchel_outbox_unsent", "Outbound calls not yet sent (failed or waiting), by provider (from the database).", ["provider"]);

  const [byStatus, byRail, needing, outbound] = await Promise.all([
    db.checkout.groupBy({ by: ["rail", "status"], _count: { _all: true } }),
    db.checkout.groupBy({ by: ["rail"], where: { status: { in: [...CREDITED_STATUSES] } }, _sum: { credits: true } }),
    db.checkout.count({ where: { needsAttention: true } }),
    db.outboundCall.groupBy({ by: ["provider"], where: { sentAt: null }, _count: { _all: true } }),
  ]);
  for (const r of byStatus) checkouts.set({ rail: r.rail, status: r.status }, r._count._all);
  for (const r of byRail) credits.set({ rail: r.rail }, r._sum.credits ?? 0);
  attention.set(needing);
  for (const r of outbound) unsent.set({ provider: r.provider }, r._count._all);

  const local = metrics().registry;
  const body = `${await scrape.metrics()}\n${await local.metrics()}`;
  return { contentType: local.contentType, body };
}
