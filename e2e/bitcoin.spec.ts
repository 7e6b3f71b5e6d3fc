import type { Page } from "@playwright/test";
import pg from "pg";
import { createBuyer, expect, signInContext, signUp, strongPassword, test, uniqueEmail } from "./fixtures";

// The Bitcoin checkout in Chromium against `next start`, on regtest with the built-in chain
// simulator (the "Simulator" panel on the checkout page) and a fixed rate of 100,000 USD/BTC:
// Medium ($20) costs exactly 0.0002 BTC.

async function buyMediumWithBitcoin(page: Page): Promise<string> {
  const c = await createBuyer();
  await signInContext(page.context(), c.email, c.password);
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

const simulator = (page: Page) => page.getByRole("region", { name: /Simulator/ });

test("buy Medium with Bitcoin: QR, address and amount → pay → seen within 3 s → 3 blocks → paid", async ({ page }) => {
  await buyMediumWithBitcoin(page);
  await expect(page.getByRole("heading", { name: "Pay with Bitcoin", level: 1 })).toBeVisible();
  await expect(page.getByRole("img", { name: "Payment QR code" })).toBeVisible();
  await expect(page.getByTestId("address")).toHaveText(/^bcrt1q[0-9a-z]+$/);
  await expect(page.getByTestId("amount-btc")).toHaveText("0.0002 BTC");
  await expect(page.getByRole("link", { name: "Open in wallet" })).toHaveAttribute("href", /^bitcoin:bcrt1q[0-9a-z]+\?amount=0\.0002&label=/);
  await expect(page.getByTestId("rate")).toContainText("1 BTC = $100,000");
  await expect(page.getByTestId("rail-amount")).toHaveText("0.0002 BTC (20,000 sats) with Bitcoin");

  await simulator(page).getByRole("button", { name: "Pay exact" }).click();
  await expect(page.getByRole("heading", { name: "Payment received — waiting for 3 confirmations" })).toBeVisible({ timeout: 3_000 });
  await expect(page.getByTestId("tracker").locator('[data-step="confirming"]')).toHaveAttribute("aria-current", "step");

  for (let i = 1; i <= 3; i++) {
    await simulator(page).getByRole("button", { name: "Mine 1 block" }).click();
    if (i < 3) await expect(page.getByRole("progressbar", { name: "Confirmations" })).toHaveAttribute("aria-valuenow", String(i));
  }
  await expect(page.getByRole("heading", { name: /Payment confirmed|Paid — credits added/ })).toBeVisible();
});

test("an underpayment shows what is still due, with its own QR", async ({ page }) => {
  await buyMediumWithBitcoin(page);
  await simulator(page).getByRole("button", { name: "Pay less" }).click();
  await expect(page.getByTestId("remaining")).toHaveText("0.0001 BTC (10,000 sats)");
  await expect(page.getByText("Send the remaining", { exact: true })).toBeVisible();
  await expect(page.getByTestId("amount-btc")).toHaveText("0.0001 BTC");
  await expect(page.getByRole("link", { name: "Open in wallet" })).toHaveAttribute("href", /amount=0\.0001&/);
});

test("a checkout past its expiry shows expired", async ({ page }) => {
  const id = await buyMediumWithBitcoin(page);
  // Time passes: move the checkout's clock instead of waiting an hour.
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`UPDATE "Checkout" SET "expiresAt" = now() - interval '1 minute', "lastObservedAt" = NULL WHERE id = $1`, [id]);
  } finally {
    await client.end();
  }
  await page.reload();
  await expect(page.getByRole("heading", { name: "Checkout expired" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Payment QR code" })).toHaveCount(0);
});

test("another buyer opening the checkout URL gets 404, and so does an unknown id", async ({ page, browser, baseURL, browserErrors }) => {
  const id = await buyMediumWithBitcoin(page);
  browserErrors.allowHttpError(404, `/checkout/${id}`);
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await signUp(otherPage, { email: uniqueEmail("other"), password: strongPassword() });
  const res = await otherPage.goto(`/checkout/${id}`);
  expect(res?.status()).toBe(404);
  const api = await otherPage.request.get(`/api/checkouts/${id}`);
  expect(api.status()).toBe(404);
  expect((await otherPage.request.get("/api/checkouts/does-not-exist")).status()).toBe(404);
  await other.close();
});
