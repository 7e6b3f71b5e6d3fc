import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { createBuyer, expect, signInContext, test } from "./fixtures";

// GET /api/metrics on `next start`: 401 without the token; with it, Prometheus text that an
// independent parser reads, whose figures move after a buyer's Bitcoin purchase in the browser.

const TOKEN = process.env.E2E_METRICS_TOKEN!;

interface Scrape {
  value(name: string, labels?: Record<string, string>): number;
  /** A histogram's observation count for one label set (read from its _count line). */
  count(name: string, labels: string): number;
}

async function scrape(request: import("@playwright/test").APIRequestContext): Promise<Scrape> {
  const res = await request.get("/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  return {
    value: (name, labels = {}) => {
      const m = families.get(name)?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
      return Number(m?.value ?? 0);
    },
    count: (name, labels) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`${name}_count{${labels}} `))
          ?.split(" ")[1] ?? 0,
      ),
  };
}

test("metrics: 401 without the token; counters move after a purchase", async ({ page, request }) => {
  expect((await request.get("/api/metrics")).status()).toBe(401);
  expect((await request.get("/api/metrics", { headers: { authorization: "Bearer not-the-token-0123456789abcdef" } })).status()).toBe(401);

  const before = await scrape(request);
  const c = await createBuyer();
  await signInContext(page.context(), c.email, c.password);
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const sim = page.getByRole("region", { name: /Simulator/ });
  await sim.getByRole("button", { name: "Pay exact" }).click();
  await expect(page.getByRole("heading", { name: "Payment received — waiting for 3 confirmations" })).toBeVisible();
  for (let i = 0; i < 3; i++) await sim.getByRole("button", { name: "Mine 1 block" }).click();
  await expect(page.getByRole("heading", { name: /Paid — credits added/ })).toBeVisible({ timeout: 20_000 });

  const after = await scrape(request);
  // Other specs run in parallel on the same server: at least this purchase's movement.
  expect(after.value("satchel_checkouts", { rail: "btc", status: "credited" })).toBeGreaterThanOrEqual(
    before.value("satchel_checkouts", { rail: "btc", status: "credited" }) + 1,
  );
  expect(after.value("satchel_credits_credited", { rail: "btc" })).toBeGreaterThanOrEqual(before.value("satchel_credits_credited", { rail: "btc" }) + 500);
  expect(after.value("satchel_chain_calls_total", { backend: "esplora" })).toBeGreaterThan(before.value("satchel_chain_calls_total", { backend: "esplora" }));
  expect(after.value("satchel_money_events_total", { event: "credited", rail: "btc" })).toBeGreaterThanOrEqual(
    before.value("satchel_money_events_total", { event: "credited", rail: "btc" }) + 1,
  );
  const credit = 'stage="credit",outcome="ok"';
  expect(after.count("satchel_lifecycle_step_seconds", credit)).toBeGreaterThanOrEqual(before.count("satchel_lifecycle_step_seconds", credit) + 1);
});
