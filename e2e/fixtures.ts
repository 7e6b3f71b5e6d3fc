// Shared Playwright fixtures and helpers. Specs import { test, expect } from here.
//
// The UI contract these helpers drive:
//   /sign-up  inputs labelled "Name" (optional), "Email", "Password"; button "Create account";
//             success lands on /account.
//   /sign-in  inputs "Email", "Password"; button "Sign in"; success goes to callbackUrl or /account.
//   header    button "Sign out".   /account: heading "Your account", "0 credits" for a new user.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";

export { expect };

export interface DemoLogin {
  role: "admin" | "buyer";
  email: string;
  password: string;
}

export interface Credentials {
  email: string;
  password: string;
  name?: string;
}

/** A never-used email address for a new account. */
export function uniqueEmail(prefix = "e2e"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}@example.com`;
}

/** A password that passes the sign-up rules (10+ characters). */
export function strongPassword(): string {
  return `pw-${randomBytes(9).toString("base64url")}`;
}

/**
 * The demo accounts the seed created (DEMO_USERS=1), from $SATCHEL_DATA_DIR/demo-logins.json.
 * An array, with `.admin` and `.buyer` for convenience: `const { admin } = demoLogins()`.
 */
export function demoLogins(): DemoLogin[] & { admin: DemoLogin; buyer: DemoLogin } {
  const dir = process.env.SATCHEL_DATA_DIR;
  if (!dir) throw new Error("SATCHEL_DATA_DIR is not set: run the e2e tests via `npm test`.");
  const file = path.resolve(dir, "demo-logins.json");
  let logins: DemoLogin[];
  try {
    logins = JSON.parse(readFileSync(file, "utf8")) as DemoLogin[];
  } catch (err) {
    throw new Error(`Cannot read the demo logins in ${file} (written by the seed with DEMO_USERS=1): ${(err as Error).message}`);
  }
  const find = (role: DemoLogin["role"]) => {
    const l = logins.find((x) => x.role === role);
    if (!l) throw new Error(`No ${role} in ${file}`);
    return l;
  };
  return Object.assign([...logins], { admin: find("admin"), buyer: find("buyer") });
}

/** Fills and submits the sign-up form without waiting for the outcome. */
export async function submitSignUp(page: Page, c: Credentials): Promise<void> {
  await page.goto("/sign-up");
  if (c.name !== undefined) await page.getByLabel("Name", { exact: true }).fill(c.name);
  await page.getByLabel("Email", { exact: true }).fill(c.email);
  await page.getByLabel("Password", { exact: true }).fill(c.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Creates an account through the UI and waits for /account. */
export async function signUp(page: Page, c: Credentials): Promise<void> {
  await submitSignUp(page, c);
  await page.waitForURL((u) => u.pathname === "/account");
}

/** Fills and submits the sign-in form without waiting for the outcome. */
export async function submitSignIn(page: Page, email: string, password: string, callbackUrl?: string): Promise<void> {
  await page.goto(callbackUrl ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs in through the UI and waits until the app has left /sign-in. */
export async function signIn(page: Page, email: string, password: string, callbackUrl?: string): Promise<void> {
  await submitSignIn(page, email, password, callbackUrl);
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
}

/** Signs out with the header button and waits for the session to be gone. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
}

export const test = base.extend<{
  /** A fresh account, created through the sign-up UI; the page is signed in as it. */
  account: Credentials;
}>({
  account: async ({ page }, use) => {
    const c = { email: uniqueEmail(), password: strongPassword(), name: "E2E Buyer" };
    await signUp(page, c);
    await use(c);
  },
});

/**
 * Emails Satchel recorded for `to` (the local outbox: with no SMTP configured, the
 * OutboundEmail row is the message). Read straight from the e2e database with `pg`, so the
 * app needs no test-only route.
 */
export async function outboxEmails(to: string): Promise<{ dedupKey: string; subject: string; text: string; checkoutId: string | null; transport: string }[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT "dedupKey", "subject", "text", "checkoutId", "transport" FROM "OutboundEmail" WHERE "to" = $1 ORDER BY "createdAt"`,
      [to.toLowerCase()],
    );
    return rows;
  } finally {
    await client.end();
  }
}
