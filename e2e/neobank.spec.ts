import type { Page } from "@playwright/test";
import { chooseRail, expect, expectSignedInAs, test } from "./fixtures";

// The NEO Bank / Bill Bitts gateway in Chromium against `next start`, with the in-process
// sandbox gateway (SANDBOX_RAILS=1): Satchel registers the buyer's CPRN and creates the
// payment with RSA-signed requests, the buyer pays (or declines) on the sandbox's page, the
// sandbox sends HMAC-signed webhooks back to /api/webhooks/neobank and returns the buyer to
// the checkout page.

async function buyMediumWithNeobank(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await chooseRail(page, "NEO Bank");
  // The web3 wallet is for the gateway's security tokens only: folded away, not asked of every buyer.
  await expect(page.getByLabel("Web3 wallet address")).toBeHidden();
  await page.getByRole("button", { name: "Pay with NEO Bank" }).click();
  // The gateway's payment page (the sandbox, on its own port).
  await page.waitForURL(/\/pay\/TXN-[0-9A-F]+$/);
  await expect(page.getByText("Sandbox — not real money")).toBeVisible();
  await expect(page.getByText("$20.00")).toBeVisible();
}

test("buy Medium with NEO Bank: gateway page → Pay → back on the checkout → credited", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithNeobank(page);
  await page.getByRole("button", { name: "Pay", exact: true }).click();

  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Pay with NEO Bank", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("link", { name: "Continue to NEO Bank" })).toHaveCount(0);

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("500 credits", { exact: true })).toBeVisible();
});

test("Decline on the gateway page → the checkout shows the failure and offers Try again", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithNeobank(page);
  await page.getByRole("button", { name: "Decline" }).click();

  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible();
  await expect(page.getByTestId("outcome-what")).toContainText("Declined by the account holder");
  await page.getByRole("link", { name: "Try again" }).click();
  await page.waitForURL(/\/buy\/medium\?rail=neobank$/);
  await expect(page.getByRole("button", { name: "Pay with NEO Bank" })).toBeVisible();

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("0 credits", { exact: true })).toBeVisible();
});

test("a buyer who leaves the gateway page unpaid finds Continue to NEO Bank on the checkout", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithNeobank(page);
  const gateway = page.url();
  // The gateway page names our checkout id as the payment's reference.
  const checkoutId = (await page.locator("dt:text-is('Reference') + dd").textContent())!.trim();
  await page.goto(`/checkout/${checkoutId}`);
  await expect(page.getByRole("link", { name: "Continue to NEO Bank" })).toHaveAttribute("href", gateway);
  await expect(page.getByText("Waiting for you to approve the payment at NEO Bank.")).toBeVisible();
  await page.getByRole("link", { name: "Continue to NEO Bank" }).click();
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await page.waitForURL(`**/checkout/${checkoutId}`);
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
});

test("the Bill Bitts gateway's /webhooks/neo-payment/ keeps its trailing slash; in signed mode it says compat mode is off", async ({ request }) => {
  // The seed's exact unsigned body, posted as the old gateway does: no redirect to follow.
  const body = { cprn: "CPRN-ABC12345", status: "SUCCESS", amount: "250.00", tx_id: "TXN-XYZ789", currency: "USD" };
  const r = await request.post("/webhooks/neo-payment/", { data: body, maxRedirects: 0 });
  expect(r.status()).toBe(404);
  expect(((await r.json()) as { error: { message: string } }).error.message).toContain("NEO Bank compatibility mode is off");
  // Every other path still loses its trailing slash, as Next.js does by default.
  const page = await request.get("/account/?tab=1", { maxRedirects: 0 });
  expect(page.status()).toBe(308);
  expect(new URL(page.headers().location!, "http://x").pathname + new URL(page.headers().location!, "http://x").search).toBe("/account?tab=1");
});
