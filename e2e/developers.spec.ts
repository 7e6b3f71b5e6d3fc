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

test("webhooks: a host's endpoint gets a signed event, retried after a 500; the admin sees each delivery and redelivers it with the same webhook-id", async ({
  page,
  context,
}) => {
  const { createServer } = await import("node:http");
  const { Webhook } = await import("standardwebhooks");
  const got: { headers: Record<string, string>; body: string }[] = [];
  const answers = [500];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      got.push({ headers: req.headers as Record<string, string>, body });
      const status = answers.shift() ?? 200;
      res.writeHead(status).end(status === 200 ? "ok" : "try later");
    });
  });
  const port = 3576 + test.info().parallelIndex;
  await new Promise<void>((r) => receiver.listen(port, "127.0.0.1", r));
  try {
    const admin = await createBuyer({ role: "admin" });
    await signInContext(context, admin.email, admin.password);
    await page.goto("/admin/developers");
    await page.getByLabel("Name (which app uses it)").fill("E2E hooks");
    await page.getByRole("checkbox", { name: /credits:write/ }).check();
    await page.getByRole("checkbox", { name: /webhooks:write/ }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    const key = await page.getByLabel("The new key (shown only now)").inputValue();
    const headers = { authorization: `Bearer ${key}` };
    const hookUrl = `http://127.0.0.1:${port}/hook`;
    const created = await page.request.post("/api/v1/webhook-endpoints", { headers, data: { url: hookUrl, enabled_events: ["credits.granted"] } });
    expect(created.status()).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const customer = `e2e-hooks-${Date.now()}`;
    expect((await page.request.post("/api/v1/customers", { headers, data: { external_id: customer } })).ok()).toBe(true);
    const grant = await page.request.post(`/api/v1/customers/${customer}/grants`, {
      headers: { ...headers, "idempotency-key": `g-${customer}` },
      data: { amount: 25, reason: "welcome" },
    });
    expect(grant.status()).toBe(201);

    // The first attempt gets 500, the retry (5 s later, on the driver's next tick) 200.
    await expect.poll(() => got.length, { timeout: 30_000 }).toBe(2);
    const ids = new Set(got.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    for (const r of got) expect(new Webhook(secret).verify(r.body, r.headers)).toMatchObject({ type: "credits.granted" });

    await page.reload();
    const endpoint = page.getByRole("article", { name: `Webhook endpoint ${hookUrl}` });
    await expect(endpoint).toContainText("Enabled");
    const row = endpoint.getByRole("row").filter({ hasText: "credits.granted" });
    await expect(row).toContainText("succeeded");
    await expect(row).toContainText("#2");
    await expect(row).toContainText("HTTP 200");
    await row.getByRole("button", { name: "Redeliver" }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("host lost it");
    await page.getByRole("dialog").getByRole("button", { name: "Redeliver" }).click();
    await expect(row).toContainText("#3 (redelivery)");
    expect(got).toHaveLength(3);
    expect(got[2]!.headers["webhook-id"]).toBe([...ids][0]);
  } finally {
    await new Promise((r) => receiver.close(r));
  }
});
