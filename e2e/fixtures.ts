// Shared Playwright fixtures and helpers. Specs import { test, expect } from here.
//
// The UI contract these helpers drive:
//   /sign-up  inputs labelled "Name" (optional), "Email", "Password"; button "Create account";
//             success says "Check your email" (the same for a taken address) — it does not sign in.
//   /sign-in  inputs "Email", "Password"; button "Sign in"; success goes to callbackUrl or /account.
//   header    button "Sign out".   /account: heading "Your account", "0 credits" for a new user.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import { type BrowserContext, test as base, expect, type Page } from "@playwright/test";

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

/** Creates an account through the UI, then signs in with it (sign-up itself does not) and waits for /account. */
export async function signUp(page: Page, c: Credentials): Promise<void> {
  await submitSignUp(page, c);
  await expect(page.getByText(/^Check your email: we sent a message to/)).toBeVisible();
  await signIn(page, c.email, c.password);
  await page.waitForURL((u) => u.pathname === "/account");
}

/** The page's browser holds a live session for `email` (asked of the server, so it can fail). */
export async function expectSignedInAs(page: Page, email: string): Promise<void> {
  const session = (await (await page.request.get("/api/auth/session")).json()) as { user?: { email?: string } } | null;
  expect(session?.user?.email, "the signed-in account").toBe(email.toLowerCase());
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

/** Runs SQL against the e2e database (the same one the server uses). */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A buyer account written straight into the database (no sign-up clicks), with a known password. */
export async function createBuyer(opts: { locale?: "en" | "sw"; role?: "buyer" | "admin" } = {}): Promise<Credentials & { id: string }> {
  const c = { id: `e2e_${randomBytes(8).toString("hex")}`, email: uniqueEmail("fast"), password: strongPassword(), name: "E2E Buyer" };
  await sql(`INSERT INTO "User" (id, email, name, "passwordHash", role, locale, "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, now())`, [
    c.id,
    c.email,
    c.name,
    await hash(c.password),
    opts.role ?? "buyer",
    opts.locale ?? null,
  ]);
  return c;
}

/** Signs a browser context in through Auth.js's credentials endpoint (the cookie lands in the context). */
export async function signInContext(context: BrowserContext, email: string, password: string): Promise<void> {
  const { csrfToken } = (await (await context.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await context.request.post("/api/auth/callback/credentials", { form: { email, password, csrfToken, callbackUrl: "/account" }, maxRedirects: 0 });
  expect(res.status(), "credentials sign-in").toBeLessThan(400);
  expect((await context.cookies()).some((c) => c.name.includes("session-token"))).toBe(true);
}

/**
 * Browser errors of the test so far. Every page of the test (the `page` fixture's context and any
 * context or page the test opens itself) is watched for uncaught exceptions (`pageerror`) and
 * console errors (React reports hydration mismatches such as #418 there); any one fails the test
 * at its end. A test that provokes an error on purpose says so with `browserErrors.allow(/…/)`,
 * matched against the one message it expects — there is no global allowlist.
 */
export interface BrowserErrors {
  allow(pattern: RegExp): void;
  /**
   * The test requests `path` (a page or API, exact pathname or a RegExp on it) expecting this
   * HTTP error status: Chromium logs "Failed to load resource: … status of <status>" for it.
   */
  allowHttpError(status: number, path: string | RegExp): void;
  readonly seen: readonly string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function watchBrowserErrors(): BrowserErrors & { watchContext(context: BrowserContext): void; unexpected(): string[] } {
  const seen: string[] = [];
  const allowed: RegExp[] = [];
  const contexts = new WeakSet<BrowserContext>();
  const pages = new WeakSet<Page>();
  const watchPage = (page: Page) => {
    if (pages.has(page)) return;
    pages.add(page);
    page.on("pageerror", (err) => seen.push(`pageerror on ${page.url()}: ${err.stack ?? err.message}`));
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const { url, lineNumber } = msg.location();
      seen.push(`console.error on ${page.url()}: ${msg.text()}${url ? ` (${url}:${lineNumber})` : ""}`);
    });
  };
  return {
    seen,
    allow: (pattern) => void allowed.push(pattern),
    allowHttpError(status, path) {
      const where = typeof path === "string" ? `${escapeRegExp(path)}(\\?[^ ]*)?` : path.source.replace(/^\^/, "").replace(/\$$/, "");
      allowed.push(new RegExp(`: Failed to load resource: the server responded with a status of ${status} \\([^)]*\\) \\(https?://[^/ ]+${where}:\\d+\\)$`));
    },
    watchContext(context) {
      if (contexts.has(context)) return;
      contexts.add(context);
      for (const page of context.pages()) watchPage(page);
      context.on("page", watchPage);
    },
    unexpected: () => seen.filter((e) => !allowed.some((re) => re.test(e))),
  };
}

export const test = base.extend<{
  /** A fresh account, created through the sign-up UI; the page is signed in as it. */
  account: Credentials;
  /** A fresh account created in the database and signed in through the API: fast, for specs that are not about sign-up. */
  buyer: Credentials & { id: string };
  /** Automatic: fails the test on any browser error (see BrowserErrors). */
  browserErrors: BrowserErrors;
}>({
  browserErrors: [
    async ({ context, browser }, use) => {
      const watch = watchBrowserErrors();
      watch.watchContext(context);
      // Contexts (and pages: browser.newPage() goes through newContext) the test opens itself.
      const newContext = browser.newContext;
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const created = await newContext.apply(browser, args);
        watch.watchContext(created);
        return created;
      };
      try {
        await use(watch);
      } finally {
        browser.newContext = newContext;
      }
      const unexpected = watch.unexpected();
      expect(unexpected, "browser errors (pageerror / console.error) during the test").toEqual([]);
    },
    { auto: true },
  ],
  account: async ({ page }, use) => {
    const c = { email: uniqueEmail(), password: strongPassword(), name: "E2E Buyer" };
    await signUp(page, c);
    await use(c);
  },
  buyer: async ({ context }, use) => {
    const c = await createBuyer();
    await signInContext(context, c.email, c.password);
    await use(c);
  },
});

/** Picks a way to pay on the buy page (one list of choices, one "Pay with …" button). */
export async function chooseRail(page: Page, label: "Bitcoin" | "M-Pesa" | "NEO Bank" | "Interledger"): Promise<void> {
  await page.getByRole("radio", { name: new RegExp(`^${label}`) }).check();
}

/** Starts a checkout for `slug` on `rail` from the buy page and waits for the checkout page; returns its id. */
export async function startCheckout(page: Page, slug: string, rail: "Bitcoin" | "M-Pesa" = "Bitcoin", phone = "0712345678"): Promise<string> {
  await page.goto(`/buy/${slug}`);
  await chooseRail(page, rail);
  if (rail === "M-Pesa") await page.getByLabel("M-Pesa phone number").fill(phone);
  await page.getByRole("button", { name: `Pay with ${rail}` }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

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
