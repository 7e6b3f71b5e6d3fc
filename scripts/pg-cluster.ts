// A throwaway PostgreSQL cluster for tests: initdb into a temp folder, start it on a free
// port, and later stop it and delete the folder. Used by the vitest global setup and by
// `npm test` whenever DATABASE_URL is not given, so the suite needs no running server.
//
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user
// (the folder is chowned to it and every server binary runs through `runuser`). Not root:
// the binaries run as the current user.
//
// CLI (handy when debugging):  tsx scripts/pg-cluster.ts   → starts one, prints its URL,
// and stops it on Ctrl-C.

import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface PgCluster {
  /** Superuser URL of the `postgres` database, e.g. postgresql://postgres@127.0.0.1:5433/postgres */
  url: string;
  port: number;
  dir: string;
  /** Stops the server and deletes its folder. Safe to call more than once. */
  stop(): void;
}

const PREFERRED_VERSION = "15";
const ROOT = "/usr/lib/postgresql";

/** The bin folder of an installed PostgreSQL server (15 preferred), or null. */
export function findPgBin(): string | null {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, "initdb"))) return process.env.PG_BIN;
  const preferred = path.join(ROOT, PREFERRED_VERSION, "bin");
  if (existsSync(path.join(preferred, "initdb"))) return preferred;
  if (!existsSync(ROOT)) return null;
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(path.join(ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(ROOT, versions[0], "bin") : null;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function postgresIds(): { uid: number; gid: number } {
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (r.status !== 0 || g.status !== 0)
    throw new Error("Running as root but there is no `postgres` user: install PostgreSQL with `apt-get install -y postgresql`.");
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Runs a server binary, as `postgres` when we are root. Throws with its output on failure. */
function run(bin: string, tool: string, args: string[]): void {
  const exe = path.join(bin, tool);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
  const r = spawnSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], cwd: tmpdir() });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
    throw new Error(`${tool} ${args.join(" ")} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
}

export async function startCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin)
    throw new Error(
      `PostgreSQL server binaries not found under ${ROOT}/*/bin. Install them with ` +
        "`apt-get update && apt-get install -y postgresql` (as root), or set DATABASE_URL to an existing server.",
    );
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-pg-"));
  let started = false;
  try {
    if (isRoot()) {
      const { uid, gid } = postgresIds();
      chownSync(dir, uid, gid);
    }
    const data = path.join(dir, "data");
    run(bin, "initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]);
    // A port can be taken between freePort() and the server binding it; retry a few times.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        run(bin, "pg_ctl", [
          "-D",
          data,
          "-o",
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
          "-l",
          path.join(dir, "log"),
          "-w",
          "-t",
          "60",
          "start",
        ]);
        started = true;
        break;
      } catch (err) {
        if (attempt >= 3) {
          const log = existsSync(path.join(dir, "log")) ? readFileSync(path.join(dir, "log"), "utf8").slice(-2000) : "";
          throw new Error(`${(err as Error).message}\n--- server log ---\n${log}`);
        }
      }
    }
    let stopped = false;
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      port,
      dir,
      stop() {
        if (stopped) return;
        stopped = true;
        try {
          run(bin, "pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } catch (err) {
          console.error(`warning: could not stop the test PostgreSQL cluster: ${(err as Error).message}`);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (started) run(bin, "pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// CLI: start a cluster, print its URL, stop it on Ctrl-C / SIGTERM.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cluster = await startCluster().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
  console.log(`PostgreSQL is running: ${cluster.url}\n(Ctrl-C stops it and deletes ${cluster.dir})`);
  const stop = () => {
    cluster.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => {}, 1 << 30);
}
