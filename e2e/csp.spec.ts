import type { Page } from "@playwright/test";
import { createBuyer, demoLogins, expect, signInContext, test } from "./fixtures";

// Issue 11 item 14: pages send a nonce-based Content-Security-Policy, and under it every page
// still hydrates (Next's inline scripts carry the nonce), the checkout's QR and styles render,
// and the browser reports no CSP violation or script error.

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Next's client runtime booted: its inline flight scripts ran (they need the nonce) and React hydrated. */
async function expectHydrated(page: Page) {
  await expect.poll(() => page.evaluate(() => Array.isArray((self as unknown as { __next_f?: unknown[] }).__next_f))).toBe(true);
  await expect.poll(() => page.evaluate(() => Boolean((window as unknown as { next?: { version?: string } }).next?.version))).toBe(true);
}

test("pages carry a fresh script nonce, hydrate, and the browser reports no violation", async ({ page }) => {
  const problems = watch(page);
  const first = await page.goto("/");
  const csp = first?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  // The nonce is on Next's scripts (browsers hide the attribute's value from the DOM, not the property).
  expect(await page.evaluate((n) => [...document.scripts].filter((s) => s.nonce === n).length, nonce)).toBeGreaterThan(0);
  const again = await page.request.get("/");
  expect(again.headers()["content-security-policy"]).not.toBe(csp);
  await expectHydrated(page);

  const c = await createBuyer();
  await signInContext(page.context(), c.email, c.password);
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await expectHydrated(page);
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  await expectHydrated(page);
  const qr = page.getByRole("img", { name: "Payment QR code" });
  await expect(qr).toBeVisible();
  const box = await qr.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(100);
  // Tailwind's stylesheet applied (not blocked): the page's font is not the browser default serif.
  expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).not.toMatch(/^"?Times/);
  expect(problems).toEqual([]);
});

test("the admin dashboard hydrates under the policy", async ({ page }) => {
  const problems = watch(page);
  const { admin } = demoLogins();
  await signInContext(page.context(), admin.email, admin.password);
  await page.goto("/admin");
  await expectHydrated(page);
  await page.goto("/admin/payments");
  await expectHydrated(page);
  expect(problems.filter((p) => !/#418|Hydration/i.test(p))).toEqual([]);
});

test("the API reference loads Redoc from our origin under the policy", async ({ page, browserErrors }) => {
  const problems = watch(page);
  browserErrors.allow(/cdn\.redoc\.ly\//); // the one blocked image, checked below
  await page.goto("/docs/api");
  await expectHydrated(page);
  // Redoc renders the document's title once its module (a dynamic import from a nonce'd script) ran.
  await expect(page.getByRole("heading", { name: /Satchel API/ }).first()).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText("The API reference could not load")).toHaveCount(0);
  // Redoc's "API docs by Redocly" logo comes from its CDN: the page loads nothing from third
  // parties, so that one image is blocked on purpose. Anything else is a violation.
  expect(problems.filter((p) => !p.includes("https://cdn.redoc.ly/"))).toEqual([]);
});
