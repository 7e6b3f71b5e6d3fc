import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { createBuyer, demoLogins, expect, signInContext, sql, test } from "./fixtures";

// The reconciliation report in the browser: an admin opens it from the admin tabs, narrows it to
// one buyer whose Bitcoin payment was credited (zero differences), sees a planted difference
// (a balance that is not the sum of its ledger entries) listed with a link to the user, gets it
// in the CSV, and the page passes axe. The planted difference is undone at the end, since the
// e2e run finishes with the report over everything and fails on any difference
// (e2e/global-teardown.ts).

test("an admin reconciles a buyer: zero differences, then a planted one listed with its link and in the CSV", async ({ browser, page, context }) => {
  test.setTimeout(90_000);
  const buyer = await createBuyer();
  const buyerContext = await browser.newContext();
  await signInContext(buyerContext, buyer.email, buyer.password);
  const res = await buyerContext.request.post("/api/checkouts", { data: { packageId: "small", rail: "btc" } });
  expect(res.status(), await res.text()).toBeLessThan(300);
  const checkoutId = ((await res.json()) as { id: string }).id;
  await buyerContext.request.post(`/api/checkouts/${checkoutId}/simulate`, { data: { action: "pay", mode: "exact" } });
  await buyerContext.request.post(`/api/checkouts/${checkoutId}/simulate`, { data: { action: "mine", blocks: 3 } });
  await expect(async () => {
    const view = (await (await buyerContext.request.get(`/api/checkouts/${checkoutId}`)).json()) as { status: string };
    expect(view.status).toBe("credited");
  }).toPass({ timeout: 30_000 });
  await buyerContext.close();

  const { admin } = demoLogins();
  await signInContext(context, admin.email, admin.password);
  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Reconciliation" }).click();
  await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();

  await page.getByLabel("User id").fill(buyer.id);
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(new RegExp(`user=${buyer.id}`));
  await expect(page.getByRole("heading", { name: "No differences", level: 2 })).toBeVisible();
  await expect(page.getByTestId("reconciliation-totals")).toContainText("Bitcoin (sat)");
  await expect(page.getByTestId("reconciliation-status")).toContainText("Σ entries");
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);

  await sql(`UPDATE "User" SET balance = balance + 3 WHERE id = $1`, [buyer.id]);
  try {
    await page.reload();
    await expect(page.getByRole("heading", { name: "1 difference", level: 2 })).toBeVisible();
    const differences = page.getByTestId("reconciliation-differences");
    await expect(differences.getByText("Balance ≠ Σ ledger").first()).toBeVisible();
    await expect(differences.getByRole("link", { name: `user ${buyer.email}` }).first()).toHaveAttribute("href", `/admin/users/${buyer.id}`);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^satchel-reconciliation-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toMatch(/^row,rail,unit,count,received,credited,credits/);
    expect(csv).toMatch(/^total,btc,sat,1,/m);
    expect(csv).toContain(`balance_mismatch,,${buyer.id},${buyer.email},3,`);

    // The CSV route checks its parameters: a bad date is a 422 naming it, not a 500.
    const bad = await page.request.get("/api/admin/reconciliation/export?from=2026-02-31");
    expect(bad.status()).toBe(422);
  } finally {
    await sql(`UPDATE "User" SET balance = balance - 3 WHERE id = $1`, [buyer.id]);
  }
});
