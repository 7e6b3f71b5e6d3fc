import { readFileSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import pg from "pg";
import { demoLogins, expect, expectSignedInAs, signIn, signUp, strongPassword, test, uniqueEmail } from "./fixtures";

// The admin dashboard in Chromium: find a payment, resolve its exception in three clicks,
// see the credits reach the buyer and the audit log, refund, export CSV, the overview's
// charts, and the wall a buyer hits on every admin page and API.

async function sql<T = unknown>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const simulator = (page: Page) => page.getByRole("region", { name: /Simulator/ });

async function newBuyer(browser: Browser, baseURL: string | undefined, prefix = "buyer") {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const email = uniqueEmail(prefix);
  await signUp(page, { email, password: strongPassword() });
  return { context, page, email };
}

async function startMedium(page: Page): Promise<string> {
  await page.goto("/buy/medium");
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** As the buyer: pay less than due, confirm it, and let the checkout expire → expired + underpaid. */
async function underpaidCheckout(page: Page): Promise<string> {
  const id = await startMedium(page);
  await simulator(page).getByRole("button", { name: "Pay less" }).click();
  await expect(page.getByTestId("remaining")).toBeVisible();
  for (let i = 0; i < 3; i++) await simulator(page).getByRole("button", { name: "Mine 1 block" }).click();
  await sql(`UPDATE "Checkout" SET "expiresAt" = now() - interval '1 minute', "lastObservedAt" = NULL WHERE id = $1`, [id]);
  await expect(async () => {
    await page.reload();
    const [row] = await sql<{ status: string; exception: string | null }>(`SELECT status, exception FROM "Checkout" WHERE id = $1`, [id]);
    expect(row).toEqual({ status: "expired", exception: "underpaid" });
  }).toPass({ timeout: 20_000 });
  return id;
}

async function adminPage(browser: Browser, baseURL: string | undefined) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const { admin } = demoLogins();
  await signIn(page, admin.email, admin.password, "/admin");
  return { context, page };
}

test("find an underpaid payment by email, credit it in three clicks, see it on the buyer's account and in the audit log; refund drops the balance", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const buyer = await newBuyer(browser, baseURL, "underpaid");
  const id = await underpaidCheckout(buyer.page);
  const admin = await adminPage(browser, baseURL);
  const page = admin.page;

  // One search box: the buyer's email (a txid or address works the same way).
  await page.goto("/admin/payments");
  await page.getByLabel("Search").fill(buyer.email);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("link", { name: id })).toBeVisible();
  const [txid] = await sql<{ txid: string }>(`SELECT txid FROM "ChainOutput" WHERE "checkoutId" = $1`, [id]);
  await page.goto(`/admin/payments?q=${txid!.txid}`);

  // Click 1: open the payment. Its timeline explains what happened.
  await page.getByRole("link", { name: id }).click();
  await expect(page.getByRole("heading", { name: /Payment/, level: 1 })).toBeVisible();
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline.getByText("checkout started")).toBeVisible();
  await expect(timeline.getByText(/less than the amount due arrived before the checkout expired/)).toBeVisible();
  // (The table and, for narrow screens, the same rows as cards: the visible one.)
  await expect(page.getByRole("region", { name: "Chain outputs" }).getByText(txid!.txid).filter({ visible: true })).toBeVisible();

  // Click 2: "Credit in full"; click 3: confirm (the reason comes prefilled, and is required).
  await page.getByRole("button", { name: "Credit in full" }).click();
  const dialog = page.getByRole("dialog", { name: "Credit 500 credits?" });
  await expect(dialog.getByLabel("Reason")).toHaveValue(/underpaid: credited in full/);
  await dialog.getByRole("button", { name: "Credit 500 credits" }).click();
  await expect(page.getByText("500 credits added to the buyer's balance.")).toBeVisible();
  await expect(page.getByText("credited", { exact: true }).first()).toBeVisible();
  await expect(timeline.getByText(/500 credits added by an admin/)).toBeVisible();

  await buyer.page.goto("/account");
  await expect(buyer.page.getByTestId("balance")).toHaveText("500 credits");
  await expect(buyer.page.getByRole("link", { name: /Receipt for Medium/ })).toBeVisible();

  await page.goto("/admin/audit");
  const row = page.getByRole("row").filter({ hasText: id });
  await expect(row.first()).toContainText("checkout.resolve");
  await expect(row.first()).toContainText("underpaid: credited in full after review");

  // Refund: the balance drops back.
  await page.goto(`/admin/payments/${id}`);
  await page.getByRole("button", { name: "Refund credits" }).click();
  const refund = page.getByRole("dialog", { name: "Refund the credits?" });
  await refund.getByLabel("Reason").fill("buyer asked for a refund");
  await refund.getByRole("button", { name: "Refund credits" }).click();
  await expect(page.getByText(/500 credits taken back; the buyer's balance is now 0/)).toBeVisible();
  await buyer.page.goto("/account");
  await expect(buyer.page.getByTestId("balance")).toHaveText("0 credits");
  await page.goto("/admin/audit");
  await expect(page.getByRole("row").filter({ hasText: "checkout.refund" }).filter({ hasText: id })).toHaveCount(1);

  await buyer.context.close();
  await admin.context.close();
});

test("CSV export holds exactly the filtered rows", async ({ browser, baseURL }) => {
  const buyer = await newBuyer(browser, baseURL, "csv");
  const ids = [await startMedium(buyer.page), await startMedium(buyer.page)];
  const admin = await adminPage(browser, baseURL);
  const page = admin.page;
  await page.goto(`/admin/payments?q=${encodeURIComponent(buyer.email)}&status=pending`);
  await expect(page.getByText("2 payments · page 1 of 1")).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^satchel-payments-.*\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\n");
  expect(lines[0]).toMatch(/^id,created_at,email,rail,status/);
  expect(
    lines
      .slice(1)
      .map((l) => l.split(",")[0])
      .sort(),
  ).toEqual([...ids].sort());
  for (const l of lines.slice(1)) expect(l).toContain(buyer.email);

  // A narrower filter narrows the file the same way.
  const res = await page.request.get(`/api/admin/payments/export?q=${encodeURIComponent(ids[0]!)}`);
  expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename=/);
  expect((await res.text()).trim().split("\n")).toHaveLength(2);
  await buyer.context.close();
  await admin.context.close();
});

test("the overview's charts render and refresh from the metrics API", async ({ browser, baseURL }) => {
  const admin = await adminPage(browser, baseURL);
  const page = admin.page;
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  for (const chart of ["revenue-chart", "status-chart"]) await expect(page.getByTestId(chart).locator("svg.recharts-surface").first()).toBeVisible();
  await expect(page.getByTestId("status-chart").locator(".recharts-bar-rectangle").first()).toBeAttached();
  await expect(page.getByText("Database")).toBeVisible();
  await expect(page.getByText(/Chain backend/)).toBeVisible();
  await expect(page.getByTestId("gap-limit")).toContainText("of the wallet gap limit 20");
  const api = await page.request.get("/api/admin/metrics?days=7");
  expect(api.status()).toBe(200);
  const body = (await api.json()) as { metrics: { conversion: { created: number } } };
  expect(body.metrics.conversion.created).toBeGreaterThanOrEqual(0);
  await admin.context.close();
});

test("a buyer gets 404 on every admin page and 403 on every admin API", async ({ page, account, browserErrors }) => {
  await expectSignedInAs(page, account.email);
  browserErrors.allowHttpError(404, /\/admin(\/[a-z]+(\/x)?)?/);
  for (const path of [
    "/admin",
    "/admin/payments",
    "/admin/payments/x",
    "/admin/users",
    "/admin/users/x",
    "/admin/packages",
    "/admin/webhooks",
    "/admin/webhooks/x",
    "/admin/audit",
    "/admin/outbox",
    "/admin/developers",
    "/admin/reconciliation",
  ]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
  for (const path of ["/api/admin/metrics", "/api/admin/payments", "/api/admin/payments/export", "/api/admin/reconciliation/export"]) {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(403);
    expect(await res.text()).not.toContain("@");
  }
});

test("signed out, admin APIs answer 401 and admin pages send you to sign in", async ({ page }) => {
  expect((await page.request.get("/api/admin/metrics")).status()).toBe(401);
  await page.goto("/admin/payments");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fadmin/);
});
