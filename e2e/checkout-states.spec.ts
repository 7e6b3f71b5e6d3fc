import type { Page } from "@playwright/test";
import { expect, expectSignedInAs, sql, startCheckout, test } from "./fixtures";

// The checkout page's promise: no chance to pay twice, and every state explained. Bitcoin on
// the regtest simulator (Medium = $20 = 0.0002 BTC at the fixed 100,000 USD/BTC), M-Pesa on
// the local fake Daraja. The buyer is created in the database and signed in through the API.

const simulate = (page: Page, id: string, data: object) => page.request.post(`/api/checkouts/${id}/simulate`, { data });
const phase = (page: Page) => page.getByTestId("phase");
const step = (page: Page, key: string) => page.getByTestId("tracker").locator(`[data-step="${key}"]`);

/** Records every amount the page ever asks for (the instructions' amount), to prove what it never asked. */
async function recordAskedAmounts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __asked: string[] };
    w.__asked = [];
    const note = () => {
      const t = document.querySelector('[data-testid="amount-btc"]')?.textContent;
      if (t && w.__asked.at(-1) !== t) w.__asked.push(t);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __asked: string[] }).__asked);
}

test("pay exact: within one update the QR and the amount are gone and 'Payment received' shows", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await expect(page.getByRole("img", { name: "Payment QR code" })).toBeVisible();
  await expect(page.getByTestId("amount-btc")).toHaveText("0.0002 BTC");

  expect((await simulate(page, id, { action: "pay", mode: "exact" })).status()).toBe(200);
  // One poll (2.5 s) later: the instructions give way to the received state.
  await expect(page.getByRole("heading", { name: "Payment received — waiting for 3 confirmations" })).toBeVisible({ timeout: 3_500 });
  await expect(page.getByRole("img", { name: "Payment QR code" })).toHaveCount(0);
  await expect(page.getByTestId("amount-btc")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Open in wallet" })).toHaveCount(0);
  await expect(phase(page)).toContainText("Do not pay again");
  // Focus moved to the new content, so a screen reader announces it.
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeFocused();
  await expect(step(page, "received")).toHaveAttribute("data-state", "done");
  await expect(step(page, "confirming")).toHaveAttribute("aria-current", "step");
});

test("underpay then top up: only the remainder is asked for, never the full amount again", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  const asked = await recordAskedAmounts(page);
  await simulate(page, id, { action: "pay", mode: "less" });
  await expect(page.getByRole("heading", { name: "Part of your payment arrived" })).toBeVisible();
  await expect(page.getByTestId("remaining")).toHaveText("0.0001 BTC (10,000 sats)");
  await expect(page.getByTestId("amount-btc")).toHaveText("0.0001 BTC");
  await expect(page.getByRole("link", { name: "Open in wallet" })).toHaveAttribute("href", /amount=0\.0001&/);
  // The remainder has its own QR (the image of what is due now) and the countdown keeps running.
  await expect(page.getByRole("img", { name: "Payment QR code" })).toHaveAttribute("src", new RegExp(`/api/checkouts/${id}/qr\\?sats=10000$`));
  const qr = await page.request.get(`/api/checkouts/${id}/qr`);
  expect(qr.headers()["content-type"]).toBe("image/svg+xml");
  expect(await qr.text()).toContain("<svg");
  await expect(page.getByRole("timer")).toBeVisible();
  await expect(step(page, "underpaid")).toHaveAttribute("data-state", "warn");

  // Top up exactly the remainder: received, waiting for confirmations — the full amount is never asked again.
  await simulate(page, id, { action: "pay", mode: "exact" });
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeVisible();
  await expect(page.getByTestId("amount-btc")).toHaveCount(0);
  await simulate(page, id, { action: "mine", blocks: 3 });
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
  expect(await asked()).toEqual(["0.0002 BTC", "0.0001 BTC"]);
});

test("pay twice: a notice names the total received and what happens to the excess", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await simulate(page, id, { action: "pay", mode: "exact" });
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeVisible();
  // A second wallet sends the full amount again.
  await simulate(page, id, { action: "pay", mode: "exact" });
  const notice = page.getByTestId("excess-notice");
  await expect(notice).toContainText("We received 2 payments, 0.0004 BTC (40,000 sats) in total.");
  await expect(notice).toContainText("That is 0.0002 BTC (20,000 sats) more than the 0.0002 BTC (20,000 sats) due.");
  await expect(notice).toContainText("the operator will refund it to you");
  await simulate(page, id, { action: "mine", blocks: 3 });
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 15_000 });
  await expect(notice).toContainText("0.0004 BTC (40,000 sats) in total");
});

/** Moves a checkout's clock: it expired a minute ago (instead of waiting an hour). */
async function expire(page: Page, id: string) {
  await sql(`UPDATE "Checkout" SET "expiresAt" = now() - interval '1 minute', "lastObservedAt" = NULL WHERE id = $1`, [id]);
  await page.reload();
}

test("expired with nothing paid: its screen, the tracker marks it, and a new checkout is one click away", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await expire(page, id);
  await expect(page.getByRole("heading", { name: "Checkout expired" })).toBeVisible();
  await expect(phase(page)).toContainText("Nothing was paid, so nothing was charged.");
  await expect(step(page, "expired")).toHaveAttribute("data-state", "error");
  await expect(page.getByRole("img", { name: "Payment QR code" })).toHaveCount(0);
  await page.getByRole("link", { name: "Start a new checkout" }).click();
  await expect(page).toHaveURL(/\/buy\//);
  await expect(page.getByRole("button", { name: "Pay with Bitcoin" })).toBeVisible();
});

test("expired underpaid: what arrived is named, it is not lost, and support is one click away", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await simulate(page, id, { action: "pay", mode: "less" });
  await expect(page.getByTestId("remaining")).toBeVisible();
  await simulate(page, id, { action: "mine", blocks: 3 });
  await expect(async () => {
    await expire(page, id);
    await expect(page.getByRole("heading", { name: "Checkout expired before the full amount arrived" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(phase(page)).toContainText("Only 0.0001 BTC (10,000 sats) arrived before this checkout expired.");
  await expect(phase(page)).toContainText("is recorded, not lost");
  await expect(page.getByTestId("support")).toContainText(id);
  await expect(step(page, "underpaid")).toHaveAttribute("data-state", "warn");
  await expect(step(page, "expired")).toHaveAttribute("data-state", "error");
});

test("paid late and never confirmed: each has its own screen and tracker mark", async ({ page, buyer }) => {
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await expire(page, id);
  await expect(page.getByRole("heading", { name: "Checkout expired" })).toBeVisible();
  // A payment after expiry, inside the monitoring window.
  await simulate(page, id, { action: "pay", mode: "exact" });
  await expect(page.getByRole("heading", { name: "Your payment arrived after the checkout expired" })).toBeVisible({ timeout: 15_000 });
  await expect(phase(page)).toContainText("A payment of 0.0002 BTC (20,000 sats) arrived after this checkout expired.");
  await expect(step(page, "paidLate")).toHaveAttribute("data-state", "warn");

  const other = await startCheckout(page, "small");
  await sql(
    `UPDATE "Checkout" SET status = 'expired', exception = 'invalid', "expiresAt" = now() - interval '2 minutes', "monitorUntil" = now() - interval '1 minute' WHERE id = $1`,
    [other],
  );
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your payment was not confirmed" })).toBeVisible();
  await expect(step(page, "invalid")).toHaveAttribute("data-state", "error");
  await expect(page.getByRole("link", { name: "Start a new checkout" })).toBeVisible();
});

test("connection lost: the page says so and offers a retry; it catches up when the network is back", async ({ page, context, buyer, browserErrors }) => {
  // The test cuts the network on purpose: what the page loads meanwhile fails to load.
  browserErrors.allow(/Failed to load resource: net::ERR_INTERNET_DISCONNECTED/);
  await expectSignedInAs(page, buyer.email);
  const id = await startCheckout(page, "medium");
  await context.setOffline(true);
  // Within two polls the page says it lost the connection (and that the payment is safe).
  await expect(page.getByRole("status").filter({ hasText: /You are offline\.|Reconnecting…/ })).toContainText("Your payment is safe", { timeout: 6_000 });
  await expect(page.getByRole("button", { name: "Retry now" })).toBeVisible();
  await simulate(page, id, { action: "pay", mode: "exact" });
  await context.setOffline(false);
  // Back online, the page catches up by itself (the retry button is for the impatient).
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("status").filter({ hasText: /You are offline\.|Reconnecting…/ })).toHaveCount(0);
});

test("M-Pesa: no answer to the prompt → 'send it again' asks M-Pesa first, never a second live prompt; a failure shows its screen", async ({
  page,
  buyer,
  browserErrors,
}) => {
  await expectSignedInAs(page, buyer.email);
  // The refused resend is a 409 from the API; the page shows it as an alert.
  browserErrors.allowHttpError(409, /\/api\/checkouts\/[^/]+\/mpesa\/resend/);
  const id = await startCheckout(page, "medium", "M-Pesa");
  await expect(page.getByTestId("mpesa-instructions")).toContainText("KES 2,590");
  await expect(page.getByTestId("mpesa-resend")).toHaveCount(0);
  // The prompt went out two minutes ago and nobody answered.
  await sql(`UPDATE "MpesaPayment" SET "createdAt" = now() - interval '2 minutes' WHERE "checkoutId" = $1`, [id]);
  await page.reload();
  await expect(page.getByText("Didn't get the prompt?")).toBeVisible();
  await page.getByRole("button", { name: "Send it again" }).click();
  // M-Pesa still holds the first prompt open: no second prompt (it could be paid too).
  await expect(page.getByTestId("mpesa-resend").getByRole("alert")).toContainText("M-Pesa is still waiting for an answer to the first prompt");
  expect((await sql(`SELECT count(*)::int AS n FROM "Checkout" WHERE "userId" = $1`, [buyer.id]))[0]).toEqual({ n: 1 });

  await page
    .getByRole("region", { name: /the buyer's phone/ })
    .getByRole("button", { name: "Wrong PIN" })
    .click();
  await expect(page.getByRole("heading", { name: "Payment failed" })).toBeVisible();
  await expect(page.getByTestId("outcome-what")).toHaveText("The M-Pesa PIN entered was wrong. Nothing was charged — try again with the right PIN.");
  await expect(phase(page)).toContainText("Nothing was charged.");
  await expect(step(page, "failed")).toHaveAttribute("data-state", "error");
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
});
