import type { Browser, Page } from "@playwright/test";
import {
  demoLogins,
  expect,
  expectSignedInAs,
  outboxEmails,
  signIn,
  signOut,
  signUp,
  strongPassword,
  submitSignIn,
  submitSignUp,
  test,
  uniqueEmail,
} from "./fixtures";

// The foundation: the shop front, sign-up / sign-in / sign-out, the account page and the
// admin gate. Role-based locators only; the header is the "banner" landmark.

const header = (page: Page) => page.getByRole("banner");

/** Creates an account in a separate browser context, so the test's own page stays signed out. */
async function accountElsewhere(browser: Browser, baseURL: string | undefined) {
  const c = { email: uniqueEmail(), password: strongPassword() };
  const context = await browser.newContext({ baseURL });
  try {
    await signUp(await context.newPage(), c);
  } finally {
    await context.close();
  }
  return c;
}

test("a new buyer signs up, sees the packages with prices and starts at 0 credits", async ({ page }) => {
  await signUp(page, { email: uniqueEmail(), password: strongPassword(), name: "Ada Buyer" });
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();

  await page.goto("/");
  for (const [name, credits, price] of [
    ["Small", "100 credits", "$5.00"],
    ["Medium", "500 credits", "$20.00"],
    ["Large", "1,500 credits", "$50.00"],
  ] as const) {
    const card = page.getByRole("article", { name });
    await expect(card.getByRole("heading", { name })).toBeVisible();
    await expect(card).toContainText(credits);
    await expect(card).toContainText(price);
    // Signed in, "Buy" goes straight to the package's checkout.
    await expect(card.getByRole("link", { name: "Buy" })).toHaveAttribute("href", `/buy/${name.toLowerCase()}`);
  }

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  await expect(page.getByText("0 credits", { exact: true })).toBeVisible();
  await expect(page.getByText("No credit movements yet.")).toBeVisible();
});

test("malformed sign-ups show clear messages under each field and create nothing", async ({ page }) => {
  await submitSignUp(page, { name: "Typo Person", email: "not-an-email", password: "short" });

  const name = page.getByLabel("Name", { exact: true });
  const email = page.getByLabel("Email", { exact: true });
  const password = page.getByLabel("Password", { exact: true });
  await expect(email).toHaveAccessibleDescription(/Enter a valid email address\./);
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(/Use at least 10 characters\./);
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(name).not.toHaveAttribute("aria-invalid", "true");
  // What was typed stays, except the password.
  await expect(name).toHaveValue("Typo Person");
  await expect(email).toHaveValue("not-an-email");
  await expect(password).toHaveValue("");
  await expect(page).toHaveURL((u) => u.pathname === "/sign-up");

  // A valid email with a short password is refused too...
  const fresh = uniqueEmail();
  await submitSignUp(page, { email: fresh, password: "2short" });
  await expect(password).toHaveAccessibleDescription(/Use at least 10 characters\./);
  await expect(email).not.toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL((u) => u.pathname === "/sign-up");

  // ...and no account came of it: signing in with those details fails.
  await submitSignIn(page, fresh, "2short");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(header(page).getByRole("button", { name: "Sign out" })).toHaveCount(0);
});

test("signing up with a taken address answers like any sign-up, tells the owner, and leaves the first account untouched", async ({
  page,
  browser,
  baseURL,
}) => {
  test.slow(); // two sign-ups and three sign-ins through the UI
  const first = await accountElsewhere(browser, baseURL);

  // Email matching ignores case, so the upper-case variant is the same account. The answer is
  // the one every sign-up gets: nobody learns from it that the address is registered.
  await submitSignUp(page, { email: first.email.toUpperCase(), password: "a different password" });
  await expect(page.getByText(`Check your email: we sent a message to ${first.email.toLowerCase()}.`, { exact: false })).toBeVisible();
  await expect(header(page).getByRole("button", { name: "Sign out" })).toHaveCount(0);
  const subjects = (await outboxEmails(first.email)).map((m) => m.subject);
  expect(subjects).toContain("Someone tried to create a Satchel account with your address");

  await submitSignIn(page, first.email, "a different password");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await signIn(page, first.email, first.password);
  await expect(page).toHaveURL((u) => u.pathname === "/account");
});

test("a buyer gets the 404 page at /admin", async ({ page, account, browserErrors }) => {
  await expectSignedInAs(page, account.email);
  browserErrors.allowHttpError(404, "/admin");
  const res = await page.goto("/admin");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Admin", exact: true })).toHaveCount(0);
  await expect(header(page).getByRole("link", { name: "Admin" })).toHaveCount(0);
});

test("the seeded admin reaches /admin", async ({ page }) => {
  const { admin } = demoLogins();
  await signIn(page, admin.email, admin.password, "/admin");
  await expect(page).toHaveURL((u) => u.pathname === "/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  await expect(page.getByRole("term").filter({ hasText: "Active packages" })).toBeVisible();
  await expect(header(page).getByRole("link", { name: "Admin" })).toBeVisible();
});

test("signing out ends the session, and a copy of the old session cookie no longer works", async ({ page, context, account }) => {
  await expectSignedInAs(page, account.email);
  const stolen = await context.cookies();
  await signOut(page);

  await expect(header(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL((u) => u.pathname === "/sign-in" && u.searchParams.get("callbackUrl") === "/account");
  await expect(page.getByRole("heading", { name: "Sign in", level: 1 })).toBeVisible();

  // Someone who copied the cookie before sign-out (another tab, a shared machine) is signed out too.
  await context.addCookies(stolen);
  expect(await (await page.request.get("/api/auth/session")).json()).toBeNull();
  await page.goto("/account");
  await expect(page).toHaveURL((u) => u.pathname === "/sign-in");
});

test("a signed-out Buy goes through sign-in and back to that package", async ({ page, browser, baseURL }) => {
  const c = await accountElsewhere(browser, baseURL);

  await page.goto("/");
  await expect(header(page).getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.getByRole("article", { name: "Large" }).getByRole("link", { name: "Buy" }).click();
  await expect(page).toHaveURL((u) => u.pathname === "/sign-in" && u.searchParams.get("callbackUrl") === "/buy/large");

  await page.getByLabel("Email", { exact: true }).fill(c.email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(c.email);

  await page.getByLabel("Password", { exact: true }).fill(c.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL((u) => u.pathname === "/buy/large");
  await expect(page.getByRole("heading", { name: "Buy Large", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Pay with Bitcoin" })).toBeVisible();
});

test("sign-in never follows an off-site callbackUrl", async ({ page, browser, baseURL }) => {
  test.slow(); // a sign-up and three sign-ins and sign-outs through the UI
  const c = await accountElsewhere(browser, baseURL);
  for (const evil of ["https://evil.example/steal", "//evil.example/steal", "/\\evil.example"]) {
    await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(evil)}`);
    await page.getByLabel("Email", { exact: true }).fill(c.email);
    await page.getByLabel("Password", { exact: true }).fill(c.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL((u) => u.origin === new URL(baseURL!).origin && u.pathname === "/account");
    await signOut(page);
  }
});
