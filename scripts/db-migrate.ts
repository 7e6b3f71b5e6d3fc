// `npm run db:migrate`: applies prisma/migrations to the configured database, then creates the
// default credit packages if there are none (a fresh production database sells something).
//   DIRECT_DATABASE_URL or DATABASE_URL set → that PostgreSQL server (through `pg`). Behind a
//                        pooler, DIRECT_DATABASE_URL is the direct (unpooled) address; the run
//                        is pooler-safe either way (transaction-scoped lock, see lib/db/migrate.ts).
//   DATABASE_URL unset → the embedded PGlite folder ($SATCHEL_DATA_DIR/pglite, default .data),
//                        which must not be open in another process (the app server).
// Prints what it applied, or "nothing to apply"; exits non-zero with the reason on failure.
// As a Vercel build step (VERCEL=1) it migrates production deploys only (VERCEL_ENV=production):
// a preview build must not migrate whatever database Preview points at. SATCHEL_MIGRATE=always
// migrates every deploy, SATCHEL_MIGRATE=never none.
// (The embedded server also migrates itself at start; this is for PostgreSQL deployments
// and for checking a folder without starting the app.)
// First: the .env files, before any module reads process.env.
import "./load-env";
import { randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { claimEmbeddedLock, EmbeddedDatabaseBusyError } from "@/lib/db/embedded-lock";
import { LOCK_TIMEOUT_MS, migrate, readMigrations, type SqlRunner } from "@/lib/db/migrate";
import { DEFAULT_PACKAGES } from "@/lib/packages/defaults";

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Creates the default packages when the table is empty; never touches an admin's packages. */
async function seedDefaultPackages(db: SqlRunner): Promise<number> {
  const values = DEFAULT_PACKAGES.map(
    (_, i) => `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}::int, $${i * 7 + 5}::int, $${i * 7 + 6}, $${i * 7 + 7}::int)`,
  );
  const params = DEFAULT_PACKAGES.flatMap((p) => [`pkg_${randomUUID().replaceAll("-", "")}`, p.slug, p.name, p.credits, p.priceMinor, p.currency, p.sortOrder]);
  // A twin run inserting at the same moment is stopped by the unique slug.
  const { rows } = await db.query<{ slug: string }>(
    `INSERT INTO "CreditPackage" (id, slug, name, credits, "priceMinor", currency, "sortOrder", "updatedAt")
     SELECT v.*, now() FROM (VALUES ${values.join(", ")}) AS v(id, slug, name, credits, "priceMinor", currency, "sortOrder")
     WHERE NOT EXISTS (SELECT 1 FROM "CreditPackage")
     ON CONFLICT (slug) DO NOTHING
     RETURNING slug`,
    params,
  );
  return rows.length;
}

async function migratePostgres(url: string): Promise<{ target: string; applied: string[]; packagesCreated: number }> {
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
    const lockTimeoutMs = Number(process.env.SATCHEL_MIGRATE_LOCK_TIMEOUT_MS) || LOCK_TIMEOUT_MS;
    const applied = await migrate(runner, readMigrations(), { lockTimeoutMs });
    return { target: redact(url), applied, packagesCreated: await seedDefaultPackages(runner) };
  } finally {
    await client.end().catch(() => {});
  }
}

async function migrateEmbedded(dataDir: string): Promise<{ target: string; applied: string[]; packagesCreated: number }> {
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
      return { target: `embedded PGlite database in ${dir}`, applied: await migrate(pglite), packagesCreated: await seedDefaultPackages(pglite) };
    } finally {
      await pglite.close();
    }
  } finally {
    release();
  }
}

/** Why this run should not migrate (a Vercel preview build), or null. */
function skipReason(): string | null {
  const mode = process.env.SATCHEL_MIGRATE?.trim();
  if (mode === "never") return "SATCHEL_MIGRATE=never";
  if (mode === "always") return null;
  if (mode) throw new Error(`SATCHEL_MIGRATE must be "always" or "never" (unset: production deploys only), not "${mode}".`);
  const vercelEnv = process.env.VERCEL_ENV?.trim();
  if (process.env.VERCEL === "1" && vercelEnv !== "production")
    return `this is a Vercel ${vercelEnv || "non-production"} build (VERCEL_ENV=${vercelEnv || "unset"}); only production deploys migrate unless SATCHEL_MIGRATE=always`;
  return null;
}

async function main(): Promise<void> {
  const skip = skipReason();
  if (skip) {
    console.log(`db:migrate: skipped: ${skip}.`);
    return;
  }
  const url = (process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL)?.trim();
  const total = readMigrations().length;
  const { target, applied, packagesCreated } = url ? await migratePostgres(url) : await migrateEmbedded(process.env.SATCHEL_DATA_DIR || ".data");
  console.log(`Database: ${target}`);
  if (applied.length === 0) console.log(`Migrations: nothing to apply (all ${total} already applied).`);
  else {
    console.log(`Migrations: applied ${applied.length} of ${total}:`);
    for (const name of applied) console.log(`  + ${name}`);
  }
  if (packagesCreated) console.log(`Credit packages: created the ${packagesCreated} default packages (the table was empty).`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof EmbeddedDatabaseBusyError || err instanceof Error ? err.message : String(err);
    console.error(`db:migrate failed: ${message}`);
    process.exit(1);
  },
);
