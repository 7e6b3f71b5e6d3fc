import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, expect, test } from "vitest";
import { scratchDatabase, withClient } from "@/test/db";

// `npm run db:migrate` as a Vercel deploy step: production deploys only (unless asked),
// the direct URL when given, and the default packages on an empty table.

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function migrate(env: Record<string, string>) {
  const clean = { ...process.env, VERCEL: "", VERCEL_ENV: "", SATCHEL_MIGRATE: "", DIRECT_DATABASE_URL: "", DATABASE_URL: "" };
  return run("npx", ["tsx", "--conditions=react-server", "scripts/db-migrate.ts"], { env: { ...clean, ...env }, timeout: 120_000 });
}

test("a Vercel preview build does not migrate; production migrates the direct URL and seeds the default packages once", async () => {
  const { url, drop } = await scratchDatabase("deploy");
  cleanups.push(drop);
  const preview = await migrate({ VERCEL: "1", VERCEL_ENV: "preview", DATABASE_URL: url });
  expect(preview.stdout).toMatch(/skipped: this is a Vercel preview build .*SATCHEL_MIGRATE=always/);
  const tables = await withClient(url, async (c) => (await c.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`)).rowCount);
  expect(tables).toBe(0);

  // The pooled URL is unusable here: the direct one is what migrates.
  const prod = await migrate({ VERCEL: "1", VERCEL_ENV: "production", DATABASE_URL: "postgresql://nobody@127.0.0.1:9/none", DIRECT_DATABASE_URL: url });
  expect(prod.stdout).toMatch(/Migrations: applied \d+ of \d+/);
  expect(prod.stdout).toMatch(/created the 3 default packages/);
  const slugs = await withClient(url, async (c) => (await c.query<{ slug: string }>(`SELECT slug FROM "CreditPackage" ORDER BY "sortOrder"`)).rows);
  expect(slugs.map((r) => r.slug)).toEqual(["small", "medium", "large"]);

  // An admin's edits stay: a later run with packages present creates none.
  await withClient(url, (c) => c.query(`DELETE FROM "CreditPackage" WHERE slug = 'large'`));
  const again = await migrate({ SATCHEL_MIGRATE: "always", VERCEL: "1", VERCEL_ENV: "preview", DATABASE_URL: url });
  expect(again.stdout).toMatch(/nothing to apply/);
  expect(again.stdout).not.toMatch(/default packages/);
  expect(await withClient(url, async (c) => (await c.query(`SELECT 1 FROM "CreditPackage"`)).rowCount)).toBe(2);
}, 300_000);

test("`npm run db:migrate` reads DATABASE_URL from the project's .env, as `next start` does", async () => {
  const { url, drop } = await scratchDatabase("dotenv");
  cleanups.push(drop);
  // A project folder whose only settings are in .env (the code is the worktree's, linked in).
  const dir = await mkdtemp(path.join(tmpdir(), "satchel-dotenv-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const name of ["package.json", "node_modules", "scripts", "lib", "prisma", "tsconfig.json"]) await symlink(path.resolve(name), path.join(dir, name));
  await writeFile(path.join(dir, ".env"), `# as the seeds teach\nDATABASE_URL="${url}"\n`);
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ["DATABASE_URL", "DIRECT_DATABASE_URL", "NODE_ENV", "VERCEL", "VERCEL_ENV", "SATCHEL_MIGRATE", "SATCHEL_DATA_DIR"]) delete env[k];
  for (const k of Object.keys(env)) if (k.startsWith("npm_")) delete env[k];
  const out = await run("npm", ["run", "--silent", "db:migrate"], { cwd: dir, env: env as NodeJS.ProcessEnv, timeout: 120_000 });
  expect(out.stdout).toMatch(/Environment: \.env/);
  expect(out.stdout).toMatch(/Migrations: applied \d+ of \d+/);
  expect(out.stdout).not.toMatch(/PGlite|embedded/i);
  const slugs = await withClient(url, async (c) => (await c.query<{ slug: string }>(`SELECT slug FROM "CreditPackage" ORDER BY "sortOrder"`)).rows);
  expect(slugs.map((r) => r.slug)).toEqual(["small", "medium", "large"]);
}, 300_000);
