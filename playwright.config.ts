import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

// End-to-end tests against the production build (`next start`). Run them with `npm test`,
// which builds the app, creates a throwaway e2e database and sets DATABASE_URL, AUTH_SECRET
// and SATCHEL_DATA_DIR; e2e/global-setup.ts migrates and seeds that database.

const databaseUrl = process.env.DATABASE_URL?.trim();
if (!databaseUrl)
  throw new Error("Playwright needs the e2e database in DATABASE_URL: run the end-to-end tests via `npm test` (or `npm test -- e2e` after a build).");

// Safety guard: the e2e run migrates, seeds and writes to this database. Never a remote one.
const host = (() => {
  try {
    return new URL(databaseUrl).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return "";
  }
})();
if (!["localhost", "127.0.0.1", "::1"].includes(host))
  throw new Error(`Refusing to run end-to-end tests against a non-local database (host "${host || "?"}"). Use \`npm test\`, which creates a local one.`);

const port = Number(process.env.E2E_PORT ?? process.env.PLAYWRIGHT_PORT ?? 3210);
const baseURL = `http://localhost:${port}`;
// examples/host-app, a host application using this Satchel through its API (e2e/host-app.spec.ts).
const hostAppPort = Number(process.env.E2E_HOST_APP_PORT ?? port + 10);
process.env.E2E_HOST_APP_URL = `http://localhost:${hostAppPort}`;
// The web server's chain simulator on a known port, so the two extra `next start` processes of
// e2e/two-instances.spec.ts (on port + 20 and + 21) read the same regtest chain.
const chainPort = Number(process.env.E2E_CHAIN_PORT ?? port + 22);
process.env.E2E_CHAIN_URL = `http://127.0.0.1:${chainPort}`;

// Shared by this process, the web server and the test workers (they inherit process.env),
// so the fixtures find the demo logins the seed wrote.
process.env.SATCHEL_DATA_DIR ||= path.join(tmpdir(), `satchel-e2e-${port}`);
process.env.AUTH_SECRET ||= "e2e-only-secret-not-for-production-0123456789";
process.env.E2E_METRICS_TOKEN ||= "e2e-only-metrics-token-0123456789";

const chromium = process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // The embedded-default smoke test runs its own server (playwright.embedded.config.ts).
  testIgnore: "embedded/**",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: [
    {
      // Migrate before the server starts: Playwright starts the web server before globalSetup,
      // and background work in the server must never see a database without its tables.
      command: `node_modules/.bin/tsx scripts/db-migrate.ts && node node_modules/next/dist/bin/next start -p ${port}`,
      url: `${baseURL}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: process.env.AUTH_SECRET,
        AUTH_TRUST_HOST: "true",
        APP_URL: baseURL,
        SATCHEL_DATA_DIR: process.env.SATCHEL_DATA_DIR,
        ADMIN_EMAILS: "",
        DEMO_USERS: "1",
        // The Bitcoin rail on regtest with the built-in chain simulator and a fixed rate:
        // $20 (Medium) = 20,000 sats.
        BTC_NETWORK: "regtest",
        RATE_SOURCE: "fixed",
        BTC_FIXED_RATE: "100000",
        CHAIN_PORT: String(chainPort),
        // The in-process driver (no Inngest here) sweeps every 2 s, so background crediting
        // shows up within a few seconds in e2e/lifecycle.spec.ts.
        RECONCILE_INTERVAL_SECONDS: "2",
        // Provider rails without credentials run against their local sandboxes (not real money).
        SANDBOX_RAILS: "1",
        // The specs prompt the one sandbox number 0712345678 many times in a run.
        MPESA_PROMPTS_PER_PHONE_PER_HOUR: "1000",
        // The Open Payments sandbox's own port, clear of a developer's server on the default 3003.
        // npm test picks a free one: when port + 3 was taken (parallel runs on one machine) the
        // sandbox fell back to a random port after the buy page had named port + 3 in its hint.
        OPEN_PAYMENTS_SANDBOX_PORT: process.env.E2E_ILP_SANDBOX_PORT ?? String(port + 3),
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        // Webhook endpoints on this machine (the specs' receivers) may receive deliveries.
        ALLOW_LOCAL_URLS: "1",
        // GET /api/metrics for e2e/metrics.spec.ts.
        METRICS_TOKEN: process.env.E2E_METRICS_TOKEN,
      },
    },
    {
      // The example host app: `npm run example:host` creates its API key in the e2e database
      // (waiting for the migration above), and the app registers its own webhook endpoint;
      // /health answers 200 once it can verify webhooks.
      command: "node_modules/.bin/tsx --conditions=react-server scripts/example-host.ts",
      url: `http://localhost:${hostAppPort}/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        DATABASE_URL: databaseUrl,
        AUTH_SECRET: process.env.AUTH_SECRET,
        SATCHEL_DATA_DIR: process.env.SATCHEL_DATA_DIR,
        SATCHEL_URL: baseURL,
        APP_URL: baseURL,
        EXAMPLE_HOST_PORT: String(hostAppPort),
        HOST_APP_URL: `http://localhost:${hostAppPort}`,
        LOG_LEVEL: "warn",
      },
    },
  ],
});
