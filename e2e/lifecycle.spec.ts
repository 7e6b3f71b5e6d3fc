import { expect, outboxEmails, test } from "./fixtures";

// Closing the browser right after paying still ends with credits, exactly once, in the
// embedded-style setup with no Inngest: the in-process driver (every 2 s here) observes the
// chain, credits and records the receipt while nobody has the checkout page open.

test("pay, leave the page, blocks arrive, come back: credits are there and the receipt is in the outbox", async ({ page, account }) => {
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;

  await page
    .getByRole("region", { name: /Simulator/ })
    .getByRole("button", { name: "Pay exact" })
    .click();
  await expect(page.getByRole("heading", { name: /^Payment received/ })).toBeVisible();

  // The buyer leaves: no page polls this checkout any more.
  await page.goto("about:blank");

  // Three blocks arrive while they are away.
  const mined = await page.request.post(`/api/checkouts/${id}/simulate`, { data: { action: "mine", blocks: 3 } });
  expect(mined.status()).toBe(200);

  // Back on the account page, the credits are there within a few driver ticks.
  await page.goto("/account");
  const balance = page.getByRole("region", { name: "Balance" });
  await expect(async () => {
    await page.reload();
    await expect(balance.getByText("500 credits", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  // Exactly once, and the receipt went to the local outbox with a link to it.
  const view = await (await page.request.get(`/api/checkouts/${id}`)).json();
  expect(view.status).toBe("credited");
  await expect(async () => {
    // Sign-up's confirmation link is in the outbox too; the receipts are what must be one.
    const mails = (await outboxEmails(account.email)).filter((m) => m.dedupKey.startsWith("receipt:"));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ dedupKey: `receipt:${id}`, checkoutId: id, transport: "outbox" });
    expect(mails[0]!.text).toContain("500 credits");
    expect(mails[0]!.text).toContain(`/account/receipts/${id}`);
  }).toPass({ timeout: 10_000 });
  await page.reload();
  await expect(balance.getByText("500 credits", { exact: true })).toBeVisible();
});
