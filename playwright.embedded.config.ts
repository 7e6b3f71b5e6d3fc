import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

// The README's first command as a test: `npm start` with no DATABASE_URL — the embedded PGlite
// default. e2e/embedded/readme-start.spec.ts starts `next start` itself (it has to read the demo
// logins the server prints), in a clean environment and a temporary SATCHEL_DATA_DIR. Run by
// `npm test`'s e2e stage after the main suite (scripts/test.ts).

const port = Number(process.env.EMBEDDED_E2E_PORT ?? 3520);
const chromium = process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e/embedded",
  testMatch: "**/*.spec.ts",
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [{ name: "embedded", use: { ...devices["Desktop Chrome"] } }],
});
