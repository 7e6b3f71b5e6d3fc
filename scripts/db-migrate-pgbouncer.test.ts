import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, expect, test } from "vitest";
import { adminUrl, scratchDatabase, withClient } from "@/test/db";
import { freePort } from "./pg-cluster";

// `npm run db:migrate` through a transaction-mode pooler (Debian's pgbouncer), the way Neon,
// Supabase and Vercel Postgres hand out URLs: under concurrent load it completes, a twin started
// at the same time waits for the lock and then finds nothing to do, and afterwards no advisory
// lock is left held by an idle pooled server connection (a session lock once was, and every
// later run hung until the pooler restarted). CI installs pgbouncer (.ci/run); a machine
// without it skips this file with a message.

const run = promisify(execFile);
const LOCK_KEY = 72707369; // lib/db/migrate.ts

function findPgbouncer(): string | null {
  for (const p of [process.env.PGBOUNCER_BIN, "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]) if (p && existsSync(p)) return p;
  const r = spawnSync("sh", ["-c", "command -v pgbouncer"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}
const pgbouncer = findPgbouncer();
if (!pgbouncer) {
  if (process.env.CI) throw new Error("pgbouncer is not installed; CI installs it (.ci/run): apt-get install -y pgbouncer");
  console.warn("skipping the pgbouncer migration test: pgbouncer is not installed (apt-get install -y pgbouncer)");
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Starts pgbouncer in transaction pool mode in front of `database` of the test cluster; returns its URL. */
async function startPgbouncer(database: string): Promise<{ url: string; log: () => Promise<string> }> {
  const server = new URL(adminUrl());
  const dir = await mkdtemp(path.join(tmpdir(), "satchel-pgbouncer-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const logFile = path.join(dir, "pgbouncer.log");
  const ini = path.join(dir, "pgbouncer.ini");
  await writeFile(
    ini,
    [
      "[databases]",
      `satchel = host=${server.hostname} port=${server.port} dbname=${database} user=postgres`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = any",
      "pool_mode = transaction",
      // Fewer server connections than clients: every client shares them, as on a hosted pooler.
      "default_pool_size = 3",
      "max_client_conn = 100",
      `logfile = ${logFile}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
      "",
    ].join("\n"),
  );
  // pgbouncer refuses to run as root: as root it switches to the cluster's `postgres` user itself
  // (-u), so the child is pgbouncer and stopping it leaves no server behind.
  if (isRoot()) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    await chown(dir, uid, gid);
    await chown(ini, uid, gid);
  }
  const child: ChildProcess = spawn(pgbouncer!, isRoot() ? ["-u", "postgres", ini] : [ini], { stdio: "ignore" });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM"); // immediate shutdown
      }),
  );
  const url = `postgresql://postgres@127.0.0.1:${port}/satchel`;
  const log = () => readFile(logFile, "utf8").catch(() => "(no log)");
  for (let i = 0; ; i++) {
    try {
      await withClient(url, (c) => c.query("SELECT 1"));
      return { url, log };
    } catch (err) {
      if (i > 50 || child.exitCode !== null) throw new Error(`pgbouncer did not come up: ${(err as Error).message}\n${await log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function migrate(url: string) {
  const env = { ...process.env, VERCEL: "", VERCEL_ENV: "", SATCHEL_MIGRATE: "", DIRECT_DATABASE_URL: "", DATABASE_URL: url };
  return run("npx", ["tsx", "--conditions=react-server", "scripts/db-migrate.ts"], { env, timeout: 120_000 });
}

/** Advisory migration locks on the real server: held and waiting. */
async function migrationLocks(directUrl: string): Promise<{ granted: number; waiting: number }> {
  return withClient(directUrl, async (c) => {
    const { rows } = await c.query<{ granted: boolean; n: string }>(
      `SELECT granted, count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 GROUP BY granted`,
      [LOCK_KEY],
    );
    return { granted: Number(rows.find((r) => r.granted)?.n ?? 0), waiting: Number(rows.find((r) => !r.granted)?.n ?? 0) };
  });
}

test.skipIf(!pgbouncer)(
  "db:migrate through pgbouncer (transaction mode) under load: one run applies, its twin waits then finds nothing, no lock stays behind",
  async () => {
    const { url: directUrl, drop } = await scratchDatabase("pgbouncer");
    cleanups.push(drop);
    const database = new URL(directUrl).pathname.slice(1);
    const bouncer = await startPgbouncer(database);

    // Concurrent load through the same pool: 8 clients running short transactions on 3 server connections.
    let stop = false;
    let served = 0;
    const errors: string[] = [];
    const load = Array.from({ length: 8 }, async () => {
      const c = new pg.Client({ connectionString: bouncer.url });
      c.on("error", () => {});
      await c.connect();
      try {
        while (!stop) {
          try {
            await c.query("BEGIN");
            await c.query("SELECT pg_sleep(0.005), $1::int", [served]);
            await c.query("COMMIT");
            served++;
          } catch (err) {
            errors.push((err as Error).message);
            await c.query("ROLLBACK").catch(() => {});
          }
        }
      } finally {
        await c.end().catch(() => {});
      }
    });

    // Hold the migration lock until both runs are queued behind it, so the twin provably waits.
    const holder = new pg.Client({ connectionString: directUrl });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    const started = Date.now();
    const first = migrate(bouncer.url);
    const second = migrate(bouncer.url);
    first.catch(() => {});
    second.catch(() => {});
    let sawWaiting = 0;
    while (Date.now() - started < 60_000) {
      sawWaiting = (await migrationLocks(directUrl)).waiting;
      if (sawWaiting >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await holder.query("COMMIT");
    await holder.end();
    expect(sawWaiting, "both db:migrate runs queue on the migration lock").toBe(2);

    const outs = (await Promise.all([first, second])).map((r) => r.stdout);
    const applied = outs.filter((o) => /Migrations: applied \d+ of \d+/.test(o));
    const nothing = outs.filter((o) => /Migrations: nothing to apply/.test(o));
    expect(applied, outs.join("\n---\n")).toHaveLength(1);
    expect(nothing, outs.join("\n---\n")).toHaveLength(1);
    expect(applied[0]).toMatch(/created the 3 default packages/);

    stop = true;
    await Promise.all(load);
    expect(errors, "the load kept being served").toEqual([]);
    expect(served).toBeGreaterThan(20);

    // Nothing held after the runs, although pgbouncer keeps their server connections open.
    expect(await migrationLocks(directUrl)).toEqual({ granted: 0, waiting: 0 });
    const idle = await withClient(directUrl, async (c) =>
      Number(
        (await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database])).rows[0]?.n,
      ),
    );
    expect(idle, "pgbouncer keeps pooled server connections").toBeGreaterThan(0);

    // A third run through the pooler completes promptly.
    const t0 = Date.now();
    const third = await migrate(bouncer.url);
    expect(third.stdout).toMatch(/nothing to apply/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    const packages = await withClient(directUrl, async (c) => (await c.query(`SELECT 1 FROM "CreditPackage"`)).rowCount);
    expect(packages).toBe(3);
  },
  240_000,
);
