import AxeBuilder from "@axe-core/playwright";
import type { BrowserContext, Page } from "@playwright/test";
import { createBuyer, demoLogins, expect, signInContext, sql, startCheckout, test } from "./fixtures";

// Every buyer and admin page, at desktop (1280×800) and mobile (360×740) sizes: no axe
// violation of serious or critical impact, and no buyer page scrolls sideways at 360 px.
// The data (a buyer with an open, an underpaid, a credited and an expired checkout, an
// M-Pesa checkout, a webhook row) is made once, through the API and the database.

const SIZES = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "mobile", width: 360, height: 740 },
] as const;

async function axe(page: Page, path: string): Promise<void> {
  const res = await page.goto(path);
  expect(res?.status(), path).toBeLessThan(500);
  await page.waitForLoadState("networkidle");
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `${path} at ${page.viewportSize()?.width}px`,
  ).toEqual([]);
}

async function noSideScroll(page: Page, path: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, `${path} is ${scroll}px wide on a ${client}px screen`).toBeLessThanOrEqual(client);
}

interface Fixture {
  buyer: { email: string; password: string };
  open: string;
  underpaid: string;
  credited: string;
  expired: string;
  mpesa: string;
  webhook: string | null;
}

let data: Fixture | null = null;

async function prepare(context: BrowserContext): Promise<Fixture> {
  if (data) return data;
  const buyer = await createBuyer();
  await signInContext(context, buyer.email, buyer.password);
  const start = async (rail: "btc", packageId = "medium") => {
    const res = await context.request.post("/api/checkouts", { data: { packageId, rail } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return ((await res.json()) as { id: string }).id;
  };
  const sim = (id: string, body: object) => context.request.post(`/api/checkouts/${id}/simulate`, { data: body });
  const open = await start("btc");
  const underpaid = await start("btc");
  await sim(underpaid, { action: "pay", mode: "less" });
  const credited = await start("btc", "small");
  await sim(credited, { action: "pay", mode: "exact" });
  await sim(credited, { action: "mine", blocks: 3 });
  const expired = await start("btc", "large");
  await sql(`UPDATE "Checkout" SET "expiresAt" = now() - interval '1 minute', "lastObservedAt" = NULL WHERE id = $1`, [expired]);
  const page = await context.newPage();
  const mpesa = await startCheckout(page, "medium", "M-Pesa");
  await page.close();
  await expect(async () => {
    const view = (await (await context.request.get(`/api/checkouts/${credited}`)).json()) as { status: string };
    expect(view.status).toBe("credited");
  }).toPass({ timeout: 20_000 });
  const [row] = await sql<{ id: string }>(`SELECT id FROM "WebhookInbox" ORDER BY "receivedAt" DESC LIMIT 1`);
  data = { buyer, open, underpaid, credited, expired, mpesa, webhook: row?.id ?? null };
  return data;
}

const buyerPages = (d: Fixture) => [
  "/",
  "/buy/medium",
  `/checkout/${d.open}`,
  `/checkout/${d.underpaid}`,
  `/checkout/${d.credited}`,
  `/checkout/${d.expired}`,
  `/checkout/${d.mpesa}`,
  "/account",
  "/account/settings",
  `/account/receipts/${d.credited}`,
  "/no-such-page",
];

const publicPages = ["/sign-in", "/sign-up", "/forgot-password", "/reset-password?token=not-a-token", "/account/email/confirm?token=nope"];

for (const size of SIZES) {
  test.describe(`${size.name} ${size.width}×${size.height}`, () => {
    test.use({ viewport: { width: size.width, height: size.height } });

    test("buyer pages: no serious or critical axe violations; nothing scrolls sideways at 360 px", async ({ page, context, browserErrors }) => {
      test.setTimeout(120_000);
      // The not-found page is one of the pages checked.
      browserErrors.allowHttpError(404, "/no-such-page");
      const d = await prepare(context);
      await signInContext(context, d.buyer.email, d.buyer.password);
      for (const path of buyerPages(d)) {
        await axe(page, path);
        if (size.width === 360) await noSideScroll(page, path);
      }
    });

    test("signed-out pages: no serious or critical axe violations; nothing scrolls sideways at 360 px", async ({ page }) => {
      for (const path of publicPages) {
        await axe(page, path);
        if (size.width === 360) await noSideScroll(page, path);
      }
    });

    test("admin pages: no serious or critical axe violations", async ({ page, context, browser }) => {
      test.setTimeout(120_000);
      const buyerContext = await browser.newContext();
      const d = await prepare(buyerContext);
      await buyerContext.close();
      const { admin } = demoLogins();
      await signInContext(context, admin.email, admin.password);
      const [user] = await sql<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [d.buyer.email]);
      const pages = [
        "/admin",
        "/admin/payments",
        `/admin/payments/${d.underpaid}`,
        `/admin/payments/${d.credited}`,
        "/admin/users",
        `/admin/users/${user!.id}`,
        "/admin/packages",
        "/admin/webhooks",
        ...(d.webhook ? [`/admin/webhooks/${d.webhook}`] : []),
        "/admin/audit",
        "/admin/outbox",
        "/admin/developers",
        "/admin/reconciliation",
      ];
      for (const path of pages) await axe(page, path);
    });
  });
}

test("at 1280 px the admin payments table shows every key column, including Received and Credits", async ({ page, context }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const { admin } = demoLogins();
  await signInContext(context, admin.email, admin.password);
  await page.goto("/admin/payments");
  const table = page.getByRole("table");
  for (const name of ["Checkout", "Created", "Buyer", "Rail", "Status", "Price", "Received", "Credits"]) {
    const header = table.getByRole("columnheader", { name });
    await expect(header).toBeVisible();
    const box = await header.boundingBox();
    expect((box?.x ?? 9999) + (box?.width ?? 0), `${name} is inside the viewport`).toBeLessThanOrEqual(1280);
  }
  // Narrow screens get cards instead of a table that scrolls sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(page.getByRole("table")).toBeHidden();
  await expect(page.getByRole("list", { name: /^Payments, page/ })).toBeVisible();
  await noSideScroll(page, "/admin/payments");
});

test.describe("dark mode (prefers-color-scheme: dark)", () => {
  test.use({ colorScheme: "dark" });

  test("follows the system setting, and its colours pass axe too", async ({ page, context }) => {
    test.setTimeout(120_000);
    const d = await prepare(context);
    await signInContext(context, d.buyer.email, d.buyer.password);
    for (const path of ["/", "/buy/medium", `/checkout/${d.underpaid}`, "/account"]) await axe(page, path);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe("rgb(248, 250, 252)"); // not the light theme's slate-50
  });
});

test("/favicon.ico is served from the top-level public/ folder", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  const body = await res.body();
  expect(body.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // the ICO signature
});
