// `npm run db:migrate`: applies prisma/migrations to the configured database.
//   DATABASE_URL set   → that PostgreSQL server (through `pg`).
//   DATABASE_URL unset → the embedded PGlite folder ($SATCHEL_DATA_DIR/pglite, default .data),
//                        which must not be open in another process (the app server).
// Prints what it applied, or "nothing to apply"; exits non-zero with the reason on failure.
// (The embedded server also migrates itself at start; this is for PostgreSQL deployments
// and for checking a folder without starting the app.)
import path from "node:path";
import pg from "pg";
import { claimEmbeddedLock, EmbeddedDatabaseBusyError } from "@/lib/db/embedded-lock";
import { migrate, readMigrations, type SqlRunner } from "@/lib/db/migrate";

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

async function migratePostgres(url: string): Promise<{ target: string; applied: string[] }> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error("DATABASE_URL must be a postgres:// or postgresql:// URL.");
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Cannot connect to ${redact(url)}: ${(err as Error).message}`);
  }
  try {
    const runner: SqlRunner = {
      query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params as unknown[])).rows as T[] }),
      exec: (sql: string) => client.query(sql),
    };
    return { target: redact(url), applied: await migrate(runner) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function migrateEmbedded(dataDir: string): Promise<{ target: string; applied: string[] }> {
  const dir = path.resolve(dataDir, "pglite");
  const release = claimEmbeddedLock(dir);
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    let pglite;
    try {
      pglite = new PGlite(dir);
      await pglite.waitReady;
    } catch (err) {
      throw new Error(
        `Cannot open the embedded database in ${dir}: ${(err as Error).message}\n` +
          "If the Satchel server is running, stop it first: PGlite allows one process at a time.",
      );
    }
    try {
      return { target: `embedded PGlite database in ${dir}`, applied: await migrate(pglite) };
    } finally {
      await pglite.close();
    }
  } finally {
    release();
  }
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL?.trim();
  const total = readMigrations().length;
  const { target, applied } = url ? await migratePostgres(url) : await migrateEmbedded(process.env.SATCHEL_DATA_DIR || ".data");
  console.log(`Database: ${target}`);
  if (applied.length === 0) console.log(`Migrations: nothing to apply (all ${total} already applied).`);
  else {
    console.log(`Migrations: applied ${applied.length} of ${total}:`);
    for (const name of applied) console.log(`  + ${name}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof EmbeddedDatabaseBusyError || err instanceof Error ? err.message : String(err);
    console.error(`db:migrate failed: ${message}`);
    process.exit(1);
  },
);
