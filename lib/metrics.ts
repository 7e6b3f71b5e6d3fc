// Process-local Prometheus metrics (prom-client), registered once per process: Next.js may
// load this module several times (route bundles, dev reloads), so the registry and every
// metric live in lib/singleton.ts's process state. Counters here are what one process saw
// (calls, errors, durations); figures that must agree across instances — checkouts by status,
// credits — are read from the database at scrape time (lib/admin/prometheus.ts). No I/O,
// no database: rails and clients may count through it.
import { Counter, Histogram, Registry } from "prom-client";
import { singleton } from "@/lib/singleton";

function create() {
  const registry = new Registry();
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    webhookVerifications: counter("satchel_webhook_verifications_total", "Webhook calls received, by provider and whether they verified.", [
      "provider",
      "result",
    ]),
    webhookFailures: counter("satchel_webhook_failures_total", "Verified webhook calls whose processing failed (retried on redelivery).", ["provider"]),
    chainCalls: counter("satchel_chain_calls_total", "Requests to the chain backend (each retry counts).", ["backend"]),
    chainRateLimited: counter("satchel_chain_rate_limited_total", "Chain backend answers with HTTP 429.", ["backend"]),
    providerErrors: counter("satchel_provider_errors_total", "Failed calls to a payment provider's API (HTTP errors, timeouts).", ["provider"]),
    tokenRefreshes: counter("satchel_provider_token_refreshes_total", "OAuth access tokens fetched from a provider, by result.", ["provider", "result"]),
    forwardFailures: counter("satchel_forward_failures_total", "Failed forwards/sweeps of received funds.", ["rail"]),
    moneyEvents: counter("satchel_money_events_total", "Money events this process recorded (credited, forwarded, refunded, failed).", ["event", "rail"]),
    stepSeconds: new Histogram({
      name: "satchel_lifecycle_step_seconds",
      help: "Duration of one checkout lifecycle step.",
      labelNames: ["stage", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/** The process's metrics (created on first use). */
export const metrics = () => singleton("metrics", create);
