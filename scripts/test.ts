// `npm test`: the whole suite, the way CI runs it.
//   1. lint   biome check (lint + format), tsc --noEmit (the type-check) and `redocly lint` of
//             the generated /api/v1 OpenAPI document (scripts/openapi.ts, redocly.yaml)
//   2. unit   vitest run (real PostgreSQL; see vitest.config.ts)
//   3. build  next build
//   4. e2e    playwright test against `next start`, on its own database (migrated and seeded
//             by e2e/global-setup.ts, demo users on) and a temporary SATCHEL_DATA_DIR; then the
//             README's first command on the embedded PGlite default (playwright.embedded.config.ts)
//   5. vercel `npm run check:vercel` (Vercel's own builder, offline: validation, function sizes,
//             no PGlite/sandbox files or compiled-in sandbox code, /api/inngest's maxDuration),
//             then its test that plants PGlite and a rail sandbox into routes of a copy and
//             expects the check to fail. Last, because
//             `vercel build` rebuilds .next with VERCEL=1 under the e2e stage's feet.
// DATABASE_URL unset ⇒ one throwaway PostgreSQL cluster serves every stage and is always
// stopped at the end (also on failure, Ctrl-C or SIGTERM). DATABASE_URL set ⇒ its server is
// used to create the test databases (they are dropped afterwards; the database named in the
// URL itself is not touched).
//
// Run a subset:  npm test -- unit        npm test -- build e2e
// One or a few e2e specs:  npm test -- build e2e e2e/developers.spec.ts   (e2e/embedded/readme-start.spec.ts: the embedded smoke)
// Every stage runs even if an earlier one failed (e2e is skipped when the build failed);
// the exit code is non-zero when any stage failed.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDatabase, dropDatabase } from "../test/db";
import { freePort, type PgCluster, startCluster } from "./pg-cluster";

type Stage = "lint" | "unit" | "build" | "e2e" | "vercel";
const ALL: Stage[] = ["lint", "unit", "build", "e2e", "vercel"];

const args = process.argv.slice(2);
const specs = args.filter((a) => /\.spec\.ts$/.test(a));
const requested = args.filter((a) => !a.startsWith("-") && !specs.includes(a));
const unknown = requested.filter((a) => !ALL.includes(a as Stage));
if (unknown.length) {
  console.error(`Unknown stage(s): ${unknown.join(", ")}. Stages: ${ALL.join(", ")}.`);
  process.exit(2);
}
const stages = requested.length ? ALL.filter((s) => requested.includes(s)) : ALL;

const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);

let cluster: PgCluster | undefined;
let child: ChildProcess | undefined;
const cleanups: (() => void | Promise<void>)[] = [];
let interrupted = false;

async function cleanup(): Promise<void> {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error(`warning: cleanup failed: ${(err as Error).message}`);
    }
  }
  cluster?.stop();
}

// Last resort: whatever happens, do not leave a PostgreSQL server running.
process.on("exit", () => cluster?.stop());
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping…`);
    if (child && child.exitCode === null) child.kill(signal);
    const exitCode = 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1);
    const done = () => cleanup().finally(() => process.exit(exitCode));
    // Give the running tool a moment to shut down (Playwright stops its web server).
    if (child && child.exitCode === null) {
      const timer = setTimeout(done, 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        done();
      });
    } else done();
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    child = spawn(cmd, args, { stdio: "inherit", env });
    child.on("error", (err) => {
      console.error(`${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

interface Result {
  stage: Stage;
  status: "passed" | "failed" | "skipped";
  note?: string;
  seconds?: number;
}

async function timed(stage: Stage, fn: () => Promise<number>): Promise<Result> {
  console.log(`\n━━━ ${stage} ━━━`);
  const started = Date.now();
  const code = await fn();
  const seconds = (Date.now() - started) / 1000;
  return { stage, status: code === 0 ? "passed" : "failed", note: code === 0 ? undefined : `exit ${code}`, seconds };
}

async function main(): Promise<number> {
  const given = process.env.DATABASE_URL?.trim();
  if (given) console.log("Using the PostgreSQL server of DATABASE_URL for the test databases.");
  else if (stages.includes("unit") || stages.includes("e2e")) {
    cluster = await startCluster();
    console.log(`Started a throwaway PostgreSQL cluster on port ${cluster.port}.`);
  }
  const serverUrl = given ?? cluster?.url;
  const authSecret = process.env.AUTH_SECRET && process.env.AUTH_SECRET.length >= 32 ? process.env.AUTH_SECRET : randomBytes(32).toString("base64url");
  const base: NodeJS.ProcessEnv = { ...process.env, AUTH_SECRET: authSecret, NEXT_TELEMETRY_DISABLED: "1" };
  const results: Result[] = [];

  for (const stage of stages) {
    if (interrupted) break;
    if (stage === "lint") {
      results.push(
        await timed("lint", async () => {
          const lint = await run(bin("biome"), ["check", "."], base);
          const types = await run(bin("tsc"), ["--noEmit"], base);
          // The /api/v1 OpenAPI document, generated as served, linted with redocly.yaml's rules.
          const docDir = mkdtempSync(path.join(tmpdir(), "satchel-openapi-"));
          cleanups.push(() => rmSync(docDir, { recursive: true, force: true }));
          const doc = path.join(docDir, "openapi.json");
          const quiet = { ...base, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
          const openapi =
            (await run(bin("tsx"), ["scripts/openapi.ts", doc], base)) || (await run(bin("redocly"), ["lint", "--config", "redocly.yaml", doc], quiet));
          return lint || types || openapi;
        }),
      );
    } else if (stage === "unit") {
      results.push(await timed("unit", () => run(bin("vitest"), ["run"], { ...base, DATABASE_URL: serverUrl })));
    } else if (stage === "build") {
      // The build reads no database; it gets an environment that would not touch the
      // repository's own .data folder if a page did.
      const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-build-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      results.push(await timed("build", () => run(bin("next"), ["build"], { ...base, SATCHEL_DATA_DIR: dataDir, DATABASE_URL: "" })));
    } else if (stage === "vercel") {
      results.push(
        await timed("vercel", async () => {
          const check = await run(bin("tsx"), ["scripts/check-vercel.ts"], base);
          const planted = await run(bin("vitest"), ["run", "scripts/check-vercel.test.ts"], {
            ...base,
            SATCHEL_VERCEL_BUILD: "1",
            DATABASE_URL: serverUrl ?? "",
          });
          return check || planted;
        }),
      );
    } else {
      if (results.some((r) => r.stage === "build" && r.status === "failed")) {
        results.push({ stage: "e2e", status: "skipped", note: "the build failed" });
        continue;
      }
      const name = `satchel_e2e_${randomBytes(4).toString("hex")}`;
      const e2eUrl = await createDatabase(serverUrl!, name);
      cleanups.push(() => dropDatabase(serverUrl!, name));
      const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-e2e-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      // A free port unless one is asked for, so parallel runs on one machine do not collide.
      const port = process.env.E2E_PORT || String(await freePort());
      const ilpPort = process.env.E2E_ILP_SANDBOX_PORT || String(await freePort());
      const embeddedSpecs = specs.filter((s) => s.includes("embedded/"));
      const mainSpecs = specs.filter((s) => !embeddedSpecs.includes(s));
      if (!specs.length || mainSpecs.length)
        results.push(
          await timed("e2e", () =>
            run(bin("playwright"), ["test", "--pass-with-no-tests", ...mainSpecs], {
              ...base,
              DATABASE_URL: e2eUrl,
              SATCHEL_DATA_DIR: dataDir,
              DEMO_USERS: "1",
              ADMIN_EMAILS: "",
              E2E_PORT: port,
              E2E_ILP_SANDBOX_PORT: ilpPort,
            }),
          ),
        );
      // The README's first command (embedded PGlite, nothing configured) on its own server.
      // Skipped when only specs of the main suite were asked for.
      if (interrupted || (specs.length && !embeddedSpecs.length)) continue;
      const embeddedPort = process.env.EMBEDDED_E2E_PORT || String(await freePort());
      results.push(
        await timed("e2e", () =>
          run(bin("playwright"), ["test", "--config", "playwright.embedded.config.ts", ...embeddedSpecs], {
            ...base,
            EMBEDDED_E2E_PORT: embeddedPort,
          }),
        ),
      );
    }
  }
  child = undefined;
  await cleanup();

  console.log("\n━━━ summary ━━━");
  for (const r of results) {
    const mark = r.status === "passed" ? "✓" : r.status === "failed" ? "✗" : "-";
    const time = r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)}s` : "";
    console.log(`${mark} ${r.stage.padEnd(6)} ${r.status}${time}${r.note ? ` (${r.note})` : ""}`);
  }
  const failed = results.filter((r) => r.status !== "passed" && r.status !== "skipped").length;
  const skipped = results.some((r) => r.status === "skipped");
  console.log(failed ? `npm test: FAILED (${failed} of ${results.length} stages)` : `npm test: all ${results.length} stages passed`);
  return failed || skipped ? 1 : 0;
}

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  async (err: unknown) => {
    console.error(`npm test: ${(err as Error).message ?? String(err)}`);
    await cleanup();
    process.exit(1);
  },
);
