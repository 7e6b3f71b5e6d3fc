import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Applies prisma/migrations/*/migration.sql in order and records each one in
// `_prisma_migrations` exactly as `prisma migrate deploy` does (checksum = sha256 of the
// file), so Prisma's own CLI agrees wherever its engine can run. Each migration runs in its
// own transaction; re-running applies nothing. A changed, already-applied migration is an
// error rather than a silent skip.

/** The two things the runner needs from a connection (pg.Client and PGlite both fit). */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script that may hold several statements. */
  exec(sql: string): Promise<unknown>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export const MIGRATIONS_DIR = path.join(process.cwd(), "prisma", "migrations");

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Two migrators starting at once (two app instances, two deploys) must not both apply a
// migration. The whole run is one transaction holding a transaction-scoped advisory lock
// (pg_advisory_xact_lock): the lock ends with the transaction even when the connection lives on,
// as it does behind a transaction-mode pooler (pgbouncer, what Neon/Supabase hand out), where a
// session lock once stayed held by an idle pooled connection and hung every later run. A twin
// waits for the lock (up to LOCK_TIMEOUT_MS, then a clear error), then finds nothing to do. A
// failing migration is rolled back to its savepoint; those before it are kept. (One consequence: a migration cannot use an enum value that
// an earlier migration of the same run added; PostgreSQL allows that only after a commit.)
const LOCK_KEY = 72707369; // arbitrary, fixed: "satchel migrations"
/** How long a run waits for a twin's lock before giving up with a clear message. */
export const LOCK_TIMEOUT_MS = 120_000;

export class MigrationLockTimeout extends Error {
  constructor(ms: number) {
    super(
      `another migration run held the migration lock for more than ${Math.round(ms / 1000)} s; nothing was applied. ` +
        "If no other deploy is migrating, look for a stuck session in pg_stat_activity / pg_locks (advisory lock 72707369) and retry.",
    );
    this.name = "MigrationLockTimeout";
  }
}

export interface MigrateOptions {
  lockTimeoutMs?: number;
}

async function inLockedTransaction<T>(db: SqlRunner, lockTimeoutMs: number, fn: () => Promise<T>): Promise<T> {
  await db.exec("BEGIN");
  try {
    await db.exec(`SET LOCAL lock_timeout = '${Math.max(1, Math.floor(lockTimeoutMs))}ms'`);
    try {
      await db.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    } catch (err) {
      if ((err as { code?: string }).code === "55P03") throw new MigrationLockTimeout(lockTimeoutMs);
      throw err;
    }
    await db.exec("SET LOCAL lock_timeout = 0"); // the lock is ours; the migration's own DDL may wait normally
    const result = await fn();
    await db.exec("COMMIT");
    return result;
  } catch (err) {
    await db.exec("ROLLBACK").catch(() => {});
    throw err;
  }
}

export async function migrate(db: SqlRunner, migrations = readMigrations(), opts: MigrateOptions = {}): Promise<string[]> {
  const { done, failure } = await inLockedTransaction(db, opts.lockTimeoutMs ?? LOCK_TIMEOUT_MS, async () => {
    // Under the lock: CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin.
    await db.exec(BOOKKEEPING);
    const { rows } = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((r) => [r.migration_name, r]));
    const done: string[] = [];
    for (const m of migrations) {
      const row = applied.get(m.name);
      if (row?.finished_at) {
        if (row.checksum !== m.checksum) throw new Error(`Migration ${m.name} was changed after it was applied; add a new migration instead.`);
        continue;
      }
      if (row) throw new Error(`Migration ${m.name} started earlier but never finished; inspect the database and _prisma_migrations.`);
      // A savepoint per migration: a failing one is undone completely, the ones before it stay.
      await db.exec("SAVEPOINT migration");
      try {
        await db.exec(m.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await db.exec("RELEASE SAVEPOINT migration");
      } catch (err) {
        await db.exec("ROLLBACK TO SAVEPOINT migration");
        return { done, failure: new Error(`Migration ${m.name} failed: ${(err as Error).message}`) };
      }
      done.push(m.name);
    }
    return { done, failure: null };
  });
  if (failure) throw failure;
  return done;
}
