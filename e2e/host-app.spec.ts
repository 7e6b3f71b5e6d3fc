import type { Page } from "@playwright/test";
import { chooseRail, expect, test } from "./fixtures";

// The example host app (examples/host-app, started by playwright.config.ts) against this
// Satchel, in Chromium: its user clicks "Buy credits" → the app creates a checkout session
// through its generated OpenAPI client → the buyer, who has no Satchel account, pays on the
// hosted page (Bitcoin simulator; M-Pesa sandbox) → lands on the app's success_url → the app
// has received checkout.credited, verified with the standardwebhooks package → "Spend 30
// credits" debits through the generated client → the balance the app reads back with
// GET /customers/{external_id} is the rest.

const hostApp = process.env.E2E_HOST_APP_URL!;

interface Received {
  received: { webhookId: string; event: { type: string; data: { object: Record<string, unknown> } } }[];
  rejected: number;
}

async function startPurchase(page: Page): Promise<string> {
  await page.goto(hostApp);
  const user = (await page.getByTestId("user").textContent())!;
  await expect(page.getByTestId("balance")).toHaveText("0");
  await page.getByRole("button", { name: "Buy credits" }).click();
  // Satchel's hosted checkout, opened by the session link without a Satchel sign-in.
  await expect(page).toHaveURL(/\/hosted\/cs_[0-9a-f]{24}$/);
  await expect(page.getByRole("heading", { name: "100 credits for the example host app" })).toBeVisible();
  return user;
}

async function expectCreditedThenSpend(page: Page, user: string): Promise<void> {
  // Back on the host's success_url, with the session id Satchel appended.
  await page.waitForURL(new RegExp(`^${hostApp}/success\\?session_id=cs_[0-9a-f]{24}$`), { timeout: 20_000 });
  await expect(page.getByTestId("session")).toContainText("complete");
  // The webhook arrives from Satchel's background driver within a few ticks.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("events").getByText("checkout.credited")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  const credited = page.getByTestId("events").getByRole("listitem").filter({ hasText: "checkout.credited" });
  await expect(credited).toContainText("verified");
  await expect(credited).toContainText("reference order-");
  await expect(credited).toContainText(`"user":"${user}"`);
  await expect(page.getByTestId("balance")).toHaveText("100");

  const seen = (await (await page.request.get(`${hostApp}/events.json`)).json()) as Received;
  const event = seen.received.find((r) => r.event.type === "checkout.credited" && r.event.data.object.customer === user);
  expect(event?.event.data.object).toMatchObject({ credits: 100, metadata: { app: "example-host", user } });
  expect(event?.webhookId).toBeTruthy();
  expect(seen.rejected).toBe(0);

  await page.getByRole("button", { name: "Spend 30 credits" }).click();
  await expect(page.getByRole("status")).toHaveText("Spent 30 credits: 70 left.");
  await expect(page.getByTestId("balance")).toHaveText("70");
}

test("a host app's user buys credits with Bitcoin on the hosted page, the host hears it and spends 30", async ({ page }) => {
  const user = await startPurchase(page);
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await expect(page.getByRole("heading", { name: "Pay with Bitcoin", level: 1 })).toBeVisible();
  const simulator = page.getByRole("region", { name: /Simulator/ });
  await simulator.getByRole("button", { name: "Pay exact" }).click();
  await expect(page.getByRole("heading", { name: /Payment received/ })).toBeVisible({ timeout: 5_000 });
  for (let i = 1; i <= 3; i++) {
    await simulator.getByRole("button", { name: "Mine 1 block" }).click();
    if (i < 3) await expect(page.getByRole("progressbar", { name: "Confirmations" })).toHaveAttribute("aria-valuenow", String(i));
  }
  await expectCreditedThenSpend(page, user);
});

test("a host app's user buys credits with M-Pesa (sandbox) on the hosted page, the host hears it and spends 30", async ({ page }) => {
  const user = await startPurchase(page);
  await chooseRail(page, "M-Pesa");
  await page.getByLabel("M-Pesa phone number").fill("0712345678");
  await page.getByRole("button", { name: "Pay with M-Pesa" }).click();
  await expect(page.getByRole("heading", { name: "Pay with M-Pesa", level: 1 })).toBeVisible();
  await page
    .getByRole("region", { name: /the buyer's phone/ })
    .getByRole("button", { name: "Approve on phone" })
    .click();
  await expectCreditedThenSpend(page, user);
});

test("the API reference renders the OpenAPI document at /docs/api", async ({ page, browserErrors }) => {
  // Redoc's "powered by" logo is an image on cdn.redoc.ly: the CSP blocks it (no third-party
  // loads), which Chromium reports as a console error.
  browserErrors.allow(/cdn\.redoc\.ly/);
  const doc = await page.request.get("/api/v1/openapi.json");
  expect(doc.status()).toBe(200);
  expect(((await doc.json()) as { openapi: string }).openapi).toBe("3.1.0");
  await page.goto("/docs/api");
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  // Redoc's rendering of the document: its description and a tag per group of routes.
  await expect(page.getByText(/amounts in minor units, credits whole/)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("link", { name: "Webhook endpoints" }).first()).toBeVisible();
});
