import { createBuyer, demoLogins, expect, outboxEmails, signInContext, sql, test } from "./fixtures";

// Forgot password → the link in the outbox → a new password, once; account settings: name,
// password, and an email change confirmed from the new address. The admin reads the outbox.

const linkIn = (text: string, path: string) => {
  const m = new RegExp(`https?://[^\\s]+${path.replace(/\//g, "\\/")}\\?token=[A-Za-z0-9_-]+`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return new URL(m[0]);
};

test("password reset end to end through the outbox: the link works once, the old password stops working", async ({ page, context, browser, baseURL }) => {
  test.slow(); // sign-in, the reset link, and sign-ins with both passwords
  const buyer = await createBuyer();
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Email").fill(buyer.email.toUpperCase());
  await page.getByRole("button", { name: "Send the reset link" }).click();
  await expect(page.getByText("If an account uses that address, a reset link is on its way.")).toBeVisible();
  // An unknown address gets the very same answer (nobody learns who has an account).
  await page.getByLabel("Email").fill("nobody-here@example.com");
  await page.getByRole("button", { name: "Send the reset link" }).click();
  await expect(page.getByText("If an account uses that address, a reset link is on its way.")).toBeVisible();
  expect(await outboxEmails("nobody-here@example.com")).toEqual([]);

  const [mail] = await outboxEmails(buyer.email);
  expect(mail?.subject).toBe("Reset your Satchel password");
  const link = linkIn(mail!.text, "/reset-password");
  // Only a hash of the token is stored.
  const [token] = await sql<{ tokenHash: string }>(`SELECT "tokenHash" FROM "AccountToken" WHERE "userId" = $1`, [buyer.id]);
  expect(token!.tokenHash).not.toBe(link.searchParams.get("token"));

  // The admin sees it in the outbox (no SMTP here: this row is the message).
  const admin = await browser.newContext({ baseURL });
  const adminPage = await admin.newPage();
  const { admin: login } = demoLogins();
  await signInContext(admin, login.email, login.password);
  await adminPage.goto(`/admin/outbox?q=${encodeURIComponent(buyer.email)}`);
  await expect(adminPage.getByRole("table")).toContainText("Reset your Satchel password");
  await admin.close();

  await page.goto(`${link.pathname}${link.search}`);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(/Use at least 10 characters/);
  const next = "a brand new password 42";
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page).toHaveURL(/\/sign-in\?reset=done/);
  await expect(page.getByText("Your password was changed. Sign in with the new one.")).toBeVisible();

  // Once: the same link is dead now.
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByText("This reset link has expired or was already used.")).toBeVisible();
  // The old password no longer signs in; the new one does.
  const { csrfToken } = (await (await context.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const old = await context.request.post("/api/auth/callback/credentials", {
    form: { email: buyer.email, password: buyer.password, csrfToken },
    maxRedirects: 0,
  });
  expect(old.headers().location ?? "").toContain("error=CredentialsSignin");
  await page.goto("/sign-in");
  await page.getByLabel("Email", { exact: true }).fill(buyer.email);
  await page.getByLabel("Password", { exact: true }).fill(next);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL((u) => u.pathname === "/account");
  expect((await outboxEmails(buyer.email)).map((m) => m.subject)).toContain("Your Satchel password was changed");
});

test("account settings: name, password, and an email change confirmed from the new address", async ({ page, context }) => {
  const buyer = await createBuyer();
  await signInContext(context, buyer.email, buyer.password);
  await page.goto("/account");
  await page.getByRole("link", { name: "Account settings" }).click();
  await expect(page.getByRole("heading", { name: "Account settings", level: 1 })).toBeVisible();

  const nameForm = page.getByRole("form", { name: "Your name" });
  await nameForm.getByLabel("Name").fill("Wanjiru Buyer");
  await nameForm.getByRole("button", { name: "Save name" }).click();
  await expect(nameForm.getByText("Your name was saved.")).toBeVisible();

  const pw = page.getByRole("form", { name: "Password" });
  await pw.getByLabel("Current password").fill("not my password");
  await pw.getByLabel("New password", { exact: true }).fill("another good password");
  await pw.getByRole("button", { name: "Change password" }).click();
  await expect(pw.getByLabel("Current password")).toHaveAccessibleDescription(/That is not your current password/);
  await expect(pw.getByLabel("Current password")).toBeFocused();

  const fresh = `moved-${Date.now().toString(36)}@example.com`;
  const emailForm = page.getByRole("form", { name: "Email address" });
  await emailForm.getByLabel("New email address").fill(fresh);
  await emailForm.getByLabel("Current password").fill(buyer.password);
  await emailForm.getByRole("button", { name: "Send the confirmation link" }).click();
  await expect(emailForm.getByText("Check the new address: we sent it a confirmation link.")).toBeVisible();
  // Nothing changed yet; the old address was told.
  expect((await sql(`SELECT email FROM "User" WHERE id = $1`, [buyer.id]))[0]).toEqual({ email: buyer.email });
  expect((await outboxEmails(buyer.email)).map((m) => m.subject)).toContain("Your Satchel email address is about to change");

  const [mail] = await outboxEmails(fresh);
  const link = linkIn(mail!.text, "/account/email/confirm");
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByText(`Use ${fresh} for your Satchel account from now on?`)).toBeVisible();
  await page.getByRole("button", { name: "Confirm the new address" }).click();
  await expect(page.getByText("Your email address was changed.")).toBeVisible();
  expect((await sql(`SELECT email, name FROM "User" WHERE id = $1`, [buyer.id]))[0]).toEqual({ email: fresh, name: "Wanjiru Buyer" });
  await page.goto(`${link.pathname}${link.search}`);
  await expect(page.getByText("This confirmation link has expired or was already used.")).toBeVisible();
});
