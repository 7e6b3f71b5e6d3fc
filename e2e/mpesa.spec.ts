import type { Page } from "@playwright/test";
import { chooseRail, expect, expectSignedInAs, signUp, strongPassword, test, uniqueEmail } from "./fixtures";

// M-Pesa Express in Chromium against `next start`, with the in-process fake Daraja
// (SANDBOX_RAILS=1): Satchel sends the STK push to the fake, the sandbox panel on the checkout
// page plays the buyer's phone, and the fake POSTs Daraja's callback to
// /api/webhooks/mpesa/<token>. Medium is $20 = KES 2,590 at USD:KES=129.50.

async function buyMediumWithMpesa(page: Page, phone = "0712345678"): Promise<string> {
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await expect(page.getByTestId("price-mpesa")).toHaveText("KES 2,590");
  await chooseRail(page, "M-Pesa");
  await page.getByLabel("M-Pesa phone number").fill(phone);
  await page.getByRole("button", { name: "Pay with M-Pesa" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expect(page.getByRole("heading", { name: "Pay with M-Pesa", level: 1 })).toBeVisible();
  return new URL(page.url()).pathname.split("/").pop()!;
}

const phonePanel = (page: Page) => page.getByRole("region", { name: /the buyer's phone/ });

test("buy Medium with M-Pesa: prompt on 0712…678 → Approve on phone → credited", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await buyMediumWithMpesa(page);
  await expect(page.getByTestId("mpesa-instructions")).toContainText("Check your phone (0712…678) and enter your M-Pesa PIN to pay KES 2,590");
  await expect(page.getByText("Sandbox — not real money").first()).toBeVisible();

  await phonePanel(page).getByRole("button", { name: "Approve on phone" }).click();
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("500 credits were added to your account.")).toBeVisible();
  await expect(page.getByTestId("mpesa-receipt")).toHaveText(/^[A-Z0-9]{10}$/);
  await expect(phonePanel(page)).toHaveCount(0);

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("500 credits", { exact: true })).toBeVisible();
});

test("cancel on the phone → the failure in plain words → Try again → approve → credited", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  const first = await buyMediumWithMpesa(page);
  await phonePanel(page).getByRole("button", { name: "Cancel on phone" }).click();
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible();
  await expect(page.getByTestId("outcome-what")).toHaveText("You cancelled the M-Pesa prompt on your phone. Nothing was charged.");
  await expect(page.getByTestId("tracker").locator('[data-step="failed"]')).toHaveAttribute("data-state", "error");

  await page.getByRole("button", { name: "Try again" }).click();
  await page.waitForURL((u) => /\/checkout\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith(first));
  await expect(page.getByTestId("mpesa-instructions")).toContainText("Check your phone (0712…678)");
  await phonePanel(page).getByRole("button", { name: "Approve on phone" }).click();
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });

  await page.goto("/account");
  await expect(page.getByRole("region", { name: "Balance" }).getByText("500 credits", { exact: true })).toBeVisible();
});

test("a number M-Pesa cannot prompt is refused on the buy form", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await chooseRail(page, "M-Pesa");
  await page.getByLabel("M-Pesa phone number").fill("0612345678");
  await page.getByRole("button", { name: "Pay with M-Pesa" }).click();
  // The message sits under the field it concerns, and focus moves there.
  const phone = page.getByLabel("M-Pesa phone number");
  await expect(phone).toHaveAccessibleDescription(/Enter a Safaricom M-Pesa number/);
  await expect(phone).toBeFocused();
  await expect(phone).toHaveValue("0612345678");
  await expect(page).toHaveURL(/\/buy\//);
});

test("the sandbox controls and Try again belong to the checkout's owner only", async ({ page, browser, baseURL, account }) => {
  await expectSignedInAs(page, account.email);
  const id = await buyMediumWithMpesa(page);
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await signUp(otherPage, { email: uniqueEmail("mpesa-other"), password: strongPassword() });
  expect((await otherPage.request.post(`/api/checkouts/${id}/mpesa/sandbox`, { data: { action: "approve" } })).status()).toBe(404);
  expect((await otherPage.request.post(`/api/checkouts/${id}/mpesa/retry`)).status()).toBe(404);
  await other.close();
  await expect(page.getByTestId("mpesa-instructions")).toBeVisible();
});
