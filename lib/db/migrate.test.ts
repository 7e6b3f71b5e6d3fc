import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { migrateUrl, runnerFor, scratchDatabase, withClient } from "@/test/db";
import { MigrationLockTimeout, migrate, readMigrations } from "./migrate";

// The hand-written migration runner against fresh, empty databases.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function freshDb(): Promise<string> {
  const { url, drop } = await scratchDatabase("migrate");
  cleanups.push(drop);
  return url;
}

/** A temporary migrations folder: { name: sql }. */
function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-migrations-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

const tables = (url: string) =>
  withClient(url, async (c) =>
    (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map((r) => r.t),
  );

const bookkeeping = (url: string) =>
  withClient(
    url,
    async (c) =>
      (
        await c.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number; rolled_back_at: Date | null }>(
          `SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`,
        )
      ).rows,
  );

describe("migrate", () => {
  test("applies every migration to a fresh database, then nothing", async () => {
    const url = await freshDb();
    const all = readMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(await migrateUrl(url)).toEqual(all.map((m) => m.name));
    expect(await migrateUrl(url)).toEqual([]);

    const rows = await bookkeeping(url);
    expect(rows.map((r) => r.migration_name)).toEqual(all.map((m) => m.name));
    for (const m of all) {
      const row = rows.find((r) => r.migration_name === m.name)!;
      const fileHash = createHash("sha256").update(m.sql).digest("hex");
      expect(row.checksum).toBe(fileHash);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(await tables(url)).toEqual(expect.arrayContaining(["User", "LedgerEntry", "Checkout", "_prisma_migrations"]));
  });

  test("checksums are of the files on disk, as prisma migrate computes them", () => {
    for (const m of readMigrations()) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  test("applies only the new migration when one is added", async () => {
    const url = await freshDb();
    const dir = migrationsDir({ "001_a": `CREATE TABLE "A" (id int PRIMARY KEY);` });
    expect(await migrateUrl(url, readMigrations(dir))).toEqual(["001_a"]);
    mkdirSync(path.join(dir, "002_b"));
    writeFileSync(path.join(dir, "002_b", "migration.sql"), `CREATE TABLE "B" (id int PRIMARY KEY);`);
    expect(await migrateUrl(url, readMigrations(dir))).toEqual(["002_b"]);
    expect(await tables(url)).toEqual(["A", "B", "_prisma_migrations"]);
  });

  test("refuses a migration that changed after it was applied", async () => {
    const url = await freshDb();
    const dir = migrationsDir({ "001_a": `CREATE TABLE "A" (id int PRIMARY KEY);` });
    await migrateUrl(url, readMigrations(dir));
    writeFileSync(path.join(dir, "001_a", "migration.sql"), `CREATE TABLE "A" (id int PRIMARY KEY, extra text);`);
    await expect(migrateUrl(url, readMigrations(dir))).rejects.toThrow(/001_a was changed after it was applied/);
    const cols = await withClient(url, async (c) => (await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'A'`)).rows);
    expect(cols).toHaveLength(1);
  });

  test("a failing migration rolls back completely and is not recorded", async () => {
    const url = await freshDb();
    const dir = migrationsDir({
      "001_ok": `CREATE TABLE "Ok" (id int PRIMARY KEY);`,
      "002_bad": `CREATE TABLE "Partial" (id int PRIMARY KEY);\nCREATE TYPE "Mood" AS ENUM ('x');\nINSERT INTO "Nope" VALUES (1);`,
    });
    await expect(migrateUrl(url, readMigrations(dir))).rejects.toThrow(/Migration 002_bad failed: .*"Nope"/);
    expect(await tables(url)).toEqual(["Ok", "_prisma_migrations"]);
    expect((await bookkeeping(url)).map((r) => r.migration_name)).toEqual(["001_ok"]);
    const types = await withClient(url, async (c) => (await c.query(`SELECT 1 FROM pg_type WHERE typname = 'Mood'`)).rowCount);
    expect(types).toBe(0);
    // Fixing the migration lets the next run apply it.
    writeFileSync(path.join(dir, "002_bad", "migration.sql"), `CREATE TABLE "Partial" (id int PRIMARY KEY);`);
    expect(await migrateUrl(url, readMigrations(dir))).toEqual(["002_bad"]);
  });

  test("an unfinished migration row stops the runner", async () => {
    const url = await freshDb();
    const dir = migrationsDir({ "001_a": `CREATE TABLE "A" (id int PRIMARY KEY);` });
    await migrateUrl(url, readMigrations(migrationsDir({})));
    await withClient(url, (c) =>
      c.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', $1, '001_a')`, [readMigrations(dir)[0]!.checksum]),
    );
    await expect(migrateUrl(url, readMigrations(dir))).rejects.toThrow(/started earlier but never finished/);
  });

  test("two migrators at once apply each migration exactly once", async () => {
    const url = await freshDb();
    const results = await Promise.all([migrateUrl(url), migrateUrl(url), migrateUrl(url)]);
    expect(results.flat().sort()).toEqual(readMigrations().map((m) => m.name));
    expect(await bookkeeping(url)).toHaveLength(readMigrations().length);
    // The whole run holds the lock: one run applies everything, its twins wait and find nothing.
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
  });

  test("the lock is transaction-scoped: nothing stays held after a run, and a run blocked too long says why", async () => {
    const url = await freshDb();
    await migrateUrl(url);
    const held = () => withClient(url, async (c) => (await c.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369`)).rowCount);
    expect(await held()).toBe(0);
    // Another session holds the migration lock (a stuck deploy): a run gives up with the reason.
    await withClient(url, async (blocker) => {
      await blocker.query("SELECT pg_advisory_lock(72707369)");
      const err = await withClient(url, (c) => migrate(runnerFor(c), readMigrations(), { lockTimeoutMs: 300 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationLockTimeout);
      expect((err as Error).message).toMatch(/held the migration lock for more than 0 s; nothing was applied/);
    });
  });
});
