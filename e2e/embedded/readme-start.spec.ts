import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, signIn, test } from "../fixtures";

// The README's first command: `npm run build && npm start` with nothing configured. No
// DATABASE_URL (and no AUTH_SECRET), so the server migrates and seeds its embedded PGlite
// database, prints a demo admin and a demo buyer, and serves Bitcoin on regtest through the
// built-in simulator. The server gets a clean environment (only PATH, HOME, its port and a fresh
// data folder), so nothing of the main e2e run's PostgreSQL setup leaks in.

const port = Number(process.env.EMBEDDED_E2E_PORT ?? 3520);
const baseURL = `http://localhost:${port}`;

let server: ChildProcess | undefined;
let dataDir = "";
let output = "";
let logins: { role: string; email: string; password: string }[] = [];

test.beforeAll(async () => {
  test.setTimeout(150_000);
  dataDir = mkdtempSync(path.join(tmpdir(), "satchel-embedded-"));
  server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      SATCHEL_DATA_DIR: dataDir,
      // Clear of the default 3003 (other servers on a shared machine); the sandbox would take a
      // free port anyway, this only keeps its log quiet.
      OPEN_PAYMENTS_SANDBOX_PORT: String(port + 3),
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const collect = (b: Buffer) => {
    output += b.toString();
  };
  server.stdout!.on("data", collect);
  server.stderr!.on("data", collect);
  const started = Date.now();
  // Wait for the printed demo logins (the server prints them once migrated and seeded).
  const login = /^\s+(admin|buyer)\s+(\S+@\S+)\s+\/\s+(\S+)\s*$/gm;
  while (Date.now() - started < 120_000) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}:\n${output}`);
    logins = [...output.matchAll(login)].map((m) => ({ role: m[1]!, email: m[2]!, password: m[3]! }));
    if (logins.some((l) => l.role === "admin") && logins.some((l) => l.role === "buyer")) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(logins.map((l) => l.role).sort(), `demo logins printed by next start:\n${output}`).toEqual(["admin", "buyer"]);
  expect(output).toContain(`Satchel is running on the embedded database (${dataDir}/pglite)`);
});

test.afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    process.kill(-server.pid, "SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) process.kill(-server.pid, "SIGKILL");
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("npm start with nothing configured: embedded PGlite, printed demo admin sees /admin and buys credits with Bitcoin", async ({ page, request }) => {
  const health = await request.get(`${baseURL}/api/health`);
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", database: { ok: true, mode: "embedded" } });

  const admin = logins.find((l) => l.role === "admin")!;
  await signIn(page, admin.email, admin.password);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Admin", level: 1 })).toBeVisible();
  await expect(page.getByText(/updated \d\d:\d\d:\d\d UTC/)).toBeVisible();

  const balance = async () => {
    await page.goto("/account");
    const text = await page
      .getByText(/^\d[\d,]* credits?$/)
      .first()
      .textContent();
    return Number(text!.replace(/\D/g, ""));
  };
  const before = await balance();
  await page.goto("/");
  await page.getByRole("article", { name: "Medium" }).getByRole("link", { name: "Buy" }).click();
  await page.getByRole("button", { name: "Pay with Bitcoin" }).click();
  await page.waitForURL(/\/checkout\/[^/]+$/);
  const simulator = page.getByRole("region", { name: /Simulator/ });
  await simulator.getByRole("button", { name: "Pay exact" }).click();
  await expect(page.getByRole("heading", { name: "Payment received — waiting for 3 confirmations" })).toBeVisible();
  for (let i = 1; i <= 3; i++) {
    await simulator.getByRole("button", { name: "Mine 1 block" }).click();
    if (i < 3) await expect(page.getByRole("progressbar", { name: "Confirmations" })).toHaveAttribute("aria-valuenow", String(i));
  }
  await expect(page.getByRole("heading", { name: "Paid — credits added" })).toBeVisible({ timeout: 30_000 });
  expect(await balance()).toBeGreaterThan(before);
});
