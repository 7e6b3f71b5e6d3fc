import type { Page } from "@playwright/test";
import { expect, expectSignedInAs, signUp, strongPassword, test, uniqueEmail } from "./fixtures";

// The buyer's account: payment history, a receipt page and PDF for a credited payment, and
// nobody else's receipts.

const simulator = (page: Page) => page.getByRole("region", { name: /Simulator/ });

async function creditedMedium(page: Page): Promise<string> {
  await page.goto("/buy/medium");
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;
  await simulator(page).getByRole("button", { name: "Pay exact" }).click();
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeVisible();
  expect((await page.request.post(`/api/checkouts/${id}/simulate`, { data: { action: "mine", blocks: 3 } })).status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 20_000 });
  return id;
}

test("history, receipt page and PDF for a credited payment; another buyer gets 404", async ({ page, browser, baseURL, browserErrors }) => {
  test.setTimeout(60_000);
  await signUp(page, { email: uniqueEmail("receipt"), password: strongPassword() });
  const id = await creditedMedium(page);

  await page.goto("/account");
  await expect(page.getByTestId("balance")).toHaveText("500 credits");
  const history = page.getByRole("region", { name: /Your payments/ });
  await expect(history.getByRole("row").filter({ hasText: "Medium" }).first()).toContainText("Credited");
  await history.getByRole("link", { name: /Receipt for Medium/ }).click();
  await expect(page).toHaveURL(`/account/receipts/${id}`);
  await expect(page.getByRole("heading", { name: "Receipt", level: 1 })).toBeVisible();
  const details = page.getByRole("region", { name: "Receipt details" });
  await expect(details).toContainText("$20.00");
  await expect(details).toContainText("0.0002 BTC (20,000 sats)");
  await expect(details).toContainText("1 BTC = $100,000");
  await expect(details).not.toContainText("USD cents");
  await expect(details.getByText(/^[0-9a-f]{64}$/)).toBeVisible();

  const pdf = await page.request.get(`/account/receipts/${id}/pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await signUp(otherPage, { email: uniqueEmail("nosy"), password: strongPassword() });
  browserErrors.allowHttpError(404, `/account/receipts/${id}`);
  expect((await otherPage.goto(`/account/receipts/${id}`))?.status()).toBe(404);
  expect((await otherPage.request.get(`/account/receipts/${id}/pdf`)).status()).toBe(404);
  await other.close();
});

test("an open checkout in the history links back to its payment page", async ({ page, account }) => {
  await expectSignedInAs(page, account.email);
  await page.goto("/buy/small");
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;
  await page.goto("/account");
  await page.getByRole("link", { name: /Continue paying for Small/ }).click();
  await expect(page).toHaveURL(`/checkout/${id}`);
});
