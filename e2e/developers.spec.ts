import { createBuyer, expect, signInContext, test } from "./fixtures";

// /admin/developers in Chromium: an admin creates an API key (the secret shown once), the
// key reads /api/v1, and once revoked it gets 401.

test("an admin creates a key, sees it once, uses it, and revokes it", async ({ page, context }) => {
  const admin = await createBuyer({ role: "admin" });
  await signInContext(context, admin.email, admin.password);
  await page.goto("/admin/developers");
  await expect(page.getByRole("heading", { name: "Developers" })).toBeVisible();
  await page.getByLabel("Name (which app uses it)").fill("E2E marketplace");
  await page.getByRole("checkbox", { name: /credits:write/ }).check();
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("Copy it now: it is shown only once.")).toBeVisible();
  const secret = await page.getByLabel("The new key (shown only now)").inputValue();
  expect(secret).toMatch(/^sk_[0-9a-f]{12}_/);

  const prefix = secret.split("_").slice(0, 2).join("_");
  const item = page.getByRole("listitem").filter({ hasText: prefix });
  await expect(item).toContainText("read, credits:write");

  const api = (key: string) => page.request.get("/api/v1/packages", { headers: { authorization: `Bearer ${key}` } });
  const ok = await api(secret);
  expect(ok.status()).toBe(200);
  expect(((await ok.json()) as { object: string }).object).toBe("list");

  // The page never shows the secret again.
  await page.reload();
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(item).toContainText("last used");

  await item.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByLabel("Reason").fill("rotating keys");
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(item).toContainText("revoked");
  expect((await api(secret)).status()).toBe(401);
});
