import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/metrics/route";
import { resetEnvForTests } from "@/lib/env";
import { receiveWebhook } from "@/lib/inbox/inbox";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";

// GET /api/metrics: Prometheus text behind METRICS_TOKEN, read by an independent parser, whose
// figures move when a buyer's purchase goes through (a real checkout on the regtest chain).

const TOKEN = "metrics-token-0123456789abcdef";
let chain: Chain;

beforeAll(async () => {
  chain = await regtest({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
  await (await simulator())?.close();
});

const scrape = (authorization?: string) =>
  GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }), { params: Promise.resolve({}) });

type Scrape = Map<string, MetricFamily> & { text: string };

async function families(): Promise<Scrape> {
  const res = await scrape(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), { text });
}

/** A histogram's observation count for one label set. The parser folds a labelled histogram's series into one, so this reads its _count line. */
function observations(f: Scrape, name: string, labels: string): number {
  const line = f.text.split("\n").find((l) => l.startsWith(`${name}_count{${labels}} `));
  return Number(line?.split(" ")[1] ?? 0);
}

/** The sample's value for these labels (0 when absent); histograms: their count. */
function value(f: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number {
  const family = f.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
}

describe("GET /api/metrics", () => {
  it("401 without the token or with a wrong one; 404 when METRICS_TOKEN is unset", async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await scrape("Bearer wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await scrape(`Basic ${TOKEN}`)).status).toBe(401);
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
    try {
      expect((await scrape(`Bearer ${TOKEN}`)).status).toBe(404);
    } finally {
      process.env.METRICS_TOKEN = TOKEN;
      resetEnvForTests();
    }
  });

  it("Prometheus text a parser reads, whose counters move after a purchase", async () => {
    const before = await families();
    for (const name of [
      "satchel_checkouts",
      "satchel_credits_credited",
      "satchel_chain_calls_total",
      "satchel_lifecycle_step_seconds",
      "satchel_webhook_verifications_total",
      "satchel_provider_errors_total",
      "satchel_provider_token_refreshes_total",
      "satchel_forward_failures_total",
    ])
      expect(before.has(name), name).toBe(true);
    expect(before.get("satchel_lifecycle_step_seconds")!.type).toBe("HISTOGRAM");
    expect(before.get("satchel_checkouts")!.type).toBe("GAUGE");

    const { checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "credited", errors: [] });
    await receiveWebhook({ provider: "mpesa", dedupKey: null, headers: {}, body: "{}", verified: false, verifyError: "test: unsigned", source: "192.0.2.7" });

    const after = await families();
    expect(value(after, "satchel_checkouts", { rail: "btc", status: "credited" })).toBe(
      value(before, "satchel_checkouts", { rail: "btc", status: "credited" }) + 1,
    );
    expect(value(after, "satchel_credits_credited", { rail: "btc" })).toBe(value(before, "satchel_credits_credited", { rail: "btc" }) + checkout.credits);
    expect(value(after, "satchel_chain_calls_total", { backend: "esplora" })).toBeGreaterThan(
      value(before, "satchel_chain_calls_total", { backend: "esplora" }),
    );
    const credit = 'stage="credit",outcome="ok"';
    expect(observations(after, "satchel_lifecycle_step_seconds", credit)).toBe(observations(before, "satchel_lifecycle_step_seconds", credit) + 1);
    expect(value(after, "satchel_webhook_verifications_total", { provider: "mpesa", result: "rejected" })).toBe(
      value(before, "satchel_webhook_verifications_total", { provider: "mpesa", result: "rejected" }) + 1,
    );
  });
});
