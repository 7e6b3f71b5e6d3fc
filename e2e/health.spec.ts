import { demoLogins, expect, test } from "./fixtures";

// Proves the harness: the production server runs on the e2e PostgreSQL database.
test("GET /api/health answers ok on PostgreSQL", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: "ok", database: { ok: true, mode: "postgres" } });
});

test("Chromium loads the home page", async ({ page }) => {
  const res = await page.goto("/");
  expect(res?.status()).toBe(200);
  await expect(page.locator("body")).toBeVisible();
});

test("the seed wrote the demo logins the fixtures read", () => {
  const logins = demoLogins();
  expect(logins.admin).toMatchObject({ role: "admin", email: "admin@satchel.local" });
  expect(logins.buyer.password.length).toBeGreaterThanOrEqual(10);
});

// lib/api/handler.test.ts cannot prove this: Auth.js's auth() needs a Next.js request scope.
test("signed-out requests to user API routes get a 401 JSON error", async ({ request }) => {
  const create = await request.post("/api/checkouts", { data: { packageId: "small" } });
  expect(create.status()).toBe(401);
  expect(await create.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in first." } });
  const read = await request.get("/api/checkouts/some-id");
  expect(read.status()).toBe(401);
});
