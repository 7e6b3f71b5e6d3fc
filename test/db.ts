// Database helpers shared by tests and the test runner (plain `pg`, nothing from lib/db/client).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Migration, migrate, readMigrations, type SqlRunner } from "@/lib/db/migrate";

/** A pg.Client shaped as the migration runner's SqlRunner. */
export function runnerFor(client: pg.Client): SqlRunner {
  return {
    query: async <T>(sql: string, params?: unknown[]) => {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[] };
    },
    exec: (sql: string) => client.query(sql),
  };
}

/** Opens a client, runs fn, always closes it. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A dropped connection (server stopped) must not crash the process with an unhandled 'error'.
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Replaces the database name of a postgres URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
};

/** Creates a database (optionally as a copy of a template) on the server of adminUrl; returns its URL. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  await withClient(adminUrl, async (c) => {
    // Two clones of one template at the same instant can collide on the template's lock; retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ""}`);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "42P04") return; // already exists
        if (code === "55006" && attempt < 20) {
          await new Promise((r) => setTimeout(r, 100 * attempt)); // template busy
          continue;
        }
        throw err;
      }
    }
  });
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

/** Applies migrations to the database at url; returns the names applied. */
export async function migrateUrl(url: string, migrations: Migration[] = readMigrations()): Promise<string[]> {
  return withClient(url, (c) => migrate(runnerFor(c), migrations));
}

/** A fresh, empty database for one test; drop it with the returned function. */
export async function scratchDatabase(prefix = "scratch"): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = adminUrl();
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  const url = await createDatabase(admin, name);
  return { url, drop: () => dropDatabase(admin, name) };
}

/** The server-level URL the vitest global setup connects with (set for every worker). */
export function adminUrl(): string {
  const url = process.env.SATCHEL_TEST_ADMIN_URL;
  if (!url) throw new Error("SATCHEL_TEST_ADMIN_URL is not set: run tests through vitest (vitest.config.ts sets it up).");
  return url;
}
