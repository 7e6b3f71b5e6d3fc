import type { Page } from "@playwright/test";
import { chooseRail, expect, expectSignedInAs, test } from "./fixtures";

// Interledger Open Payments in Chromium against `next start`, with the in-process Open
// Payments sandbox (SANDBOX_RAILS=1): the buyer enters a sandbox wallet address, Satchel
// creates the incoming payment, quote and interactive grant (signed requests the sandbox
// verifies), the browser goes to the sandbox wallet's approval page, and the wallet sends it
// back to /api/payments/interledger/finish, which ends on the checkout page.

async function buyMediumWithInterledger(page: Page, walletName: string): Promise<void> {
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await chooseRail(page, "Interledger");
  await expect(page.getByRole("radio", { name: /^Interledger/ })).toHaveAccessibleName(/Sandbox — not real money/);
  // The form's hint names a wallet in the sandbox; any name there is a funded buyer wallet.
  const hint = await page.getByText(/e\.g\. https:\/\/127\.0\.0\.1:\d+\/alice/).textContent();
  const example = /https:\/\/\S+\/alice/.exec(hint ?? "")?.[0];
  expect(example).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/alice$/);
  await page.getByLabel("Your wallet address").fill(example!.replace(/alice$/, walletName));
  await page.getByRole("button", { name: "Pay with Interledger" }).click();
  // The buyer's wallet (the sandbox, on its own port) asks them to approve.
  await page.waitForURL(/\/interact\/[^/]+$/);
  await expect(page.getByText("Sandbox — not real money")).toBeVisible();
  await expect(page.getByText("20.00 USD")).toBeVisible();
}

const walletName = () => `buyer-${Date.now().toString(36)}`;

test("buy Medium with Interledger: wallet approval page → Approve → back on the checkout → credited", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithInterledger(page, walletName());
  await page.getByRole("button", { name: "Approve" }).click();

  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("ilp-wallet")).toHaveText(/^https:\/\/127\.0\.0\.1:\d+\/buyer-/);
  await expect(page.getByRole("link", { name: "Approve in your wallet" })).toHaveCount(0);

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("500 credits", { exact: true })).toBeVisible();
});

test("Reject in the wallet → the checkout shows the failure and offers Try again", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithInterledger(page, walletName());
  await page.getByRole("button", { name: "Reject" }).click();

  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible();
  await expect(page.getByTestId("outcome-what")).toContainText("You declined the payment in your wallet");
  const wallet = await page.getByTestId("ilp-wallet").textContent();
  await page.getByRole("link", { name: "Try again" }).click();
  await page.waitForURL(/\/buy\/medium\?rail=interledger/);
  // "Try again" keeps the wallet address the buyer typed.
  await expect(page.getByLabel("Your wallet address")).toHaveValue(wallet!);
  await expect(page.getByRole("button", { name: "Pay with Interledger" })).toBeVisible();

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("0 credits", { exact: true })).toBeVisible();
});

test("an address that is not a wallet is refused on the buy form, with the reason", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await page.goto("/buy/medium");
  await chooseRail(page, "Interledger");
  await page.getByLabel("Your wallet address").fill("https://ilp.interledger-test.dev/alice");
  await page.getByRole("button", { name: "Pay with Interledger" }).click();
  await expect(page.getByLabel("Your wallet address")).toHaveAccessibleDescription(/use a sandbox wallet such as https:\/\/127\.0\.0\.1:/);
  await expect(page).toHaveURL(/\/buy\/medium$/);
});
