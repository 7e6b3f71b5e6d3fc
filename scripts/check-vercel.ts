// `npm run check:vercel`: builds the app with Vercel's own builder, offline, and checks what a
// deployment would get. Steps:
//   1. a throwaway .vercel/project.json (dummy ids; framework nextjs, build command
//      `npm run build`) — no account, no network, no `vercel link`;
//   2. `vercel build --prod` with VERCEL=1 and no runtime secret (no DATABASE_URL, AUTH_SECRET
//      or Inngest keys: the build must need none);
//   3. over .vercel/output/functions/**: the builder's output validation passed, every function
//      is ≤ 50 MB unzipped (Vercel's limit is 250 MB; 50 MB keeps cold starts short), no function
//      carries an embedded-only or dev-only module (PGlite, its Prisma adapter, the rails' local
//      sandboxes, the regtest chain simulator) — neither as a file nor compiled into its code —
//      and /api/inngest keeps its maxDuration;
//   4. prints each function's size (largest first) and the total; removes .vercel.
// It rebuilds .next (Vercel's build runs `next build`), so `npm test` runs it after e2e.
//
//   npm run check:vercel              # in this folder
//   tsx scripts/check-vercel.ts DIR   # in another copy of the project (used by its test)
// Exit code 0 when every check passes, 1 otherwise.
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MAX_FUNCTION_BYTES = 50 * 1024 * 1024;

/**
 * Files no serverless function may carry: the embedded database (refused on Vercel) and the
 * local sandboxes/simulator (dev-only servers). Matched against each function's file paths.
 */
export const FORBIDDEN: { name: string; pattern: RegExp }[] = [
  { name: "PGlite (@electric-sql/pglite)", pattern: /(^|\/)node_modules\/@electric-sql\/pglite\// },
  { name: "pglite-prisma-adapter", pattern: /(^|\/)node_modules\/pglite-prisma-adapter\// },
  { name: "PGlite data/wasm", pattern: /(^|\/)pglite\.(wasm|data)$/ },
  { name: "a rail sandbox (lib/rails/*/sandbox)", pattern: /(^|\/)lib\/rails\/[^/]+\/sandbox\// },
  { name: "the chain simulator", pattern: /(^|\/)(chain-simulator|simulator)\.(js|ts|mjs|cjs)$/ },
];

/**
 * The sandboxes are our own lib/ code: a function that has one compiled into its server chunks
 * ships no file the patterns above can match. Each sandbox module records this marker and its
 * path when it loads (lib/rails/sandbox-marker.ts); a function whose .js files contain it has
 * that module compiled in.
 */
export const SANDBOX_MARKER = /SATCHEL_SANDBOX_MODULE:(lib\/rails\/[\w./-]+)/g;

/** The sandbox modules compiled into one .js file (read once per real file). */
const compiledIn = new Map<string, string[]>();
function sandboxModulesIn(file: string): string[] {
  let found = compiledIn.get(file);
  if (!found) {
    found = [...new Set([...readFileSync(file, "latin1").matchAll(SANDBOX_MARKER)].map((m) => m[1]!))];
    compiledIn.set(file, found);
  }
  return found;
}

export interface FunctionReport {
  route: string;
  /** Every route this function folder serves (Vercel links routes to one shared folder). */
  routes: string[];
  bytes: number;
  files: number;
  forbidden: string[];
  maxDuration?: number;
}

/** A function's files: its folder's own (symlinks followed) plus any filePathMap entries. */
function functionFiles(funcDir: string, root: string, config: { filePathMap?: Record<string, string> }): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(funcDir, full).split(path.sep).join("/");
      let stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        if (!existsSync(full)) continue;
        stat = statSync(full);
      }
      if (stat.isDirectory()) walk(full);
      else files.set(rel, realpathSync(full));
    }
  };
  walk(funcDir);
  for (const [dest, src] of Object.entries(config.filePathMap ?? {})) files.set(dest, path.resolve(root, src));
  return files;
}

/** Reads .vercel/output/functions of `root` and reports every function. */
export function inspectFunctions(root: string): FunctionReport[] {
  const functionsDir = path.join(root, ".vercel", "output", "functions");
  const reports: FunctionReport[] = [];
  const byFolder = new Map<string, FunctionReport>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.name.endsWith(".func")) {
        // Several routes may share one function folder through symlinks: count it once, and
        // name every route it serves.
        const real = realpathSync(full);
        const route = `/${path.relative(functionsDir, full).replace(/\.func$/, "")}`;
        const known = byFolder.get(real);
        if (known) {
          known.routes.push(route);
          continue;
        }
        const configPath = path.join(real, ".vc-config.json");
        const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {};
        const files = functionFiles(real, root, config);
        let bytes = 0;
        const forbidden = new Set<string>();
        const sandboxCode = new Map<string, string>(); // sandbox module → the first file it is compiled into
        for (const [rel, src] of files) {
          bytes += statSync(src).size;
          for (const f of FORBIDDEN) if (f.pattern.test(rel) || f.pattern.test(src.split(path.sep).join("/"))) forbidden.add(`${f.name}: ${rel}`);
          if (/\.[cm]?js$/.test(rel)) for (const m of sandboxModulesIn(src)) sandboxCode.set(m, sandboxCode.get(m) ?? rel);
        }
        for (const [m, rel] of sandboxCode) forbidden.add(`a rail sandbox (compiled in: ${m}, in ${rel})`);
        const report: FunctionReport = { route, routes: [route], bytes, files: files.size, forbidden: [...forbidden], maxDuration: config.maxDuration };
        byFolder.set(real, report);
        reports.push(report);
      } else if (entry.isDirectory()) visit(full);
    }
  };
  if (existsSync(functionsDir)) visit(functionsDir);
  return reports;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The problems a deployment would hit, from the build log and the function reports. */
export function problems(buildLog: string, reports: FunctionReport[]): string[] {
  const out: string[] = [];
  // Newer CLIs print "Build output validation found N problem(s)"; 58.10 prints only
  // "Build Completed in .vercel/output" once its checks of the output passed.
  const validation = buildLog.match(/Build output validation found (\d+) problem/);
  if (validation && validation[1] !== "0") out.push(`Vercel's build output validation found ${validation[1]} problem(s)`);
  if (!validation && !/Build Completed in \.vercel\/output/.test(buildLog)) out.push('vercel build did not report "Build Completed in .vercel/output"');
  if (reports.length === 0) out.push("the build produced no serverless functions");
  for (const r of reports) {
    const served = r.routes.length > 1 ? ` (the function of ${r.routes.length} routes: ${[...r.routes].sort().join(", ")})` : "";
    if (r.bytes > MAX_FUNCTION_BYTES) out.push(`${r.route} is ${mb(r.bytes)} unzipped (limit ${mb(MAX_FUNCTION_BYTES)})${served}`);
    if (r.forbidden.length === 0) continue;
    // Up to three of each kind, so hundreds of PGlite files do not hide a compiled-in sandbox.
    const kinds = new Map<string, string[]>();
    for (const f of r.forbidden) {
      const kind = f.replace(/(: | \(compiled in: ).*$/, "");
      kinds.set(kind, [...(kinds.get(kind) ?? []), f]);
    }
    for (const [kind, entries] of kinds) {
      for (const f of entries.slice(0, 3)) out.push(`${r.route} carries ${f}`);
      if (entries.length > 3) out.push(`${r.route} carries ${entries.length - 3} more of ${kind}`);
    }
    if (served) out.push(`${r.route}'s forbidden files ship with every route of its function${served}`);
  }
  const inngest = reports.find((r) => r.routes.includes("/api/inngest"));
  if (!inngest) out.push("no /api/inngest function");
  else if (!inngest.maxDuration) out.push("/api/inngest has no maxDuration in its .vc-config.json");
  return out;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (err) => resolve({ code: 127, output: `${output}\n${err.message}` }));
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Only what a build needs from this environment: no database, no secret, no provider key. */
function buildEnv(): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "TERM", "NODE_OPTIONS", "CI"];
  const env: Record<string, string> = {};

  for (const k of keep) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    ...env,
    NODE_ENV: "production",
    VERCEL: "1",
    VERCEL_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    VERCEL_TELEMETRY_DISABLED: "1",
    NO_UPDATE_NOTIFIER: "1",
  };
}

export async function checkVercel(root: string): Promise<{ ok: boolean; problems: string[]; reports: FunctionReport[]; seconds: number }> {
  const started = Date.now();
  const vercelDir = path.join(root, ".vercel");
  rmSync(vercelDir, { recursive: true, force: true });
  mkdirSync(vercelDir, { recursive: true });
  // installCommand "true": the build uses the node_modules already here (a planted copy shares
  // them through hard links, which an install must not write through).
  writeFileSync(
    path.join(vercelDir, "project.json"),
    JSON.stringify({
      projectId: "prj_satchelcheckvercel000000000",
      orgId: "team_satchelcheckvercel00000000",
      settings: { framework: "nextjs", buildCommand: "npm run build", installCommand: "true", outputDirectory: null, rootDirectory: null },
    }),
  );
  try {
    const vercel = path.join(root, "node_modules", ".bin", "vercel");
    const { code, output } = await run(vercel, ["build", "--prod", "--yes"], root, buildEnv());
    const reports = inspectFunctions(root);
    const found = problems(output, reports);
    if (code !== 0) found.unshift(`vercel build exited with ${code}`);
    reports.sort((a, b) => b.bytes - a.bytes);
    console.log("\ncheck:vercel — functions (unzipped):");
    for (const r of reports)
      console.log(
        `  ${mb(r.bytes).padStart(9)}  ${String(r.files).padStart(5)} files  ${r.route}${r.routes.length > 1 ? ` (+${r.routes.length - 1} routes)` : ""}`,
      );
    const shared = reports.reduce((n, r) => n + r.routes.length - 1, 0);
    const total = reports.reduce((s, r) => s + r.bytes, 0);
    const largest = reports[0];
    if (largest)
      console.log(
        `  largest ${mb(largest.bytes)} (${largest.route}), total ${mb(total)} over ${reports.length} function folder(s)` +
          (shared ? ` (+${shared} route(s) sharing one)` : ""),
      );
    return { ok: found.length === 0, problems: found, reports, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(vercelDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? process.cwd());
  checkVercel(root).then(
    ({ ok, problems: found, seconds }) => {
      if (ok) console.log(`check:vercel: passed in ${seconds.toFixed(1)}s`);
      else {
        console.error(`check:vercel: FAILED in ${seconds.toFixed(1)}s`);
        for (const p of found) console.error(`  ✗ ${p}`);
      }
      process.exit(ok ? 0 : 1);
    },
    (err: unknown) => {
      console.error(`check:vercel: ${(err as Error).message ?? String(err)}`);
      process.exit(1);
    },
  );
}
