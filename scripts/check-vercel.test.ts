// check:vercel must catch what would break or bloat a Vercel deployment. The fast part reads
// hand-made build output; the slow part (SATCHEL_VERCEL_BUILD=1, the `vercel` stage of
// `npm test`) runs Vercel's real builder on a copy of the project with PGlite and a rail
// sandbox planted into two routes' imports and expects the check to fail naming both.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkVercel, inspectFunctions, MAX_FUNCTION_BYTES, problems } from "./check-vercel";

const root = path.resolve(__dirname, "..");
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function fakeOutput(funcs: Record<string, { config?: object; files?: Record<string, number | string> }>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-vercel-out-"));
  temps.push(dir);
  for (const [route, f] of Object.entries(funcs)) {
    const funcDir = path.join(dir, ".vercel", "output", "functions", `${route}.func`);
    mkdirSync(funcDir, { recursive: true });
    writeFileSync(path.join(funcDir, ".vc-config.json"), JSON.stringify(f.config ?? { runtime: "nodejs22.x", handler: "index.js" }));
    for (const [file, size] of Object.entries(f.files ?? {})) {
      mkdirSync(path.dirname(path.join(funcDir, file)), { recursive: true });
      writeFileSync(path.join(funcDir, file), typeof size === "number" ? Buffer.alloc(size) : size);
    }
  }
  return dir;
}

const ok = "Build Completed in .vercel/output [3m]";

describe("check:vercel over build output", () => {
  it("passes small functions with no embedded-only module and /api/inngest's maxDuration", () => {
    const dir = fakeOutput({
      "api/inngest": { config: { runtime: "nodejs22.x", handler: "index.js", maxDuration: 300 }, files: { "index.js": 1000 } },
      "api/health": { files: { "index.js": 1000, "node_modules/pg/lib/index.js": 500 } },
    });
    const reports = inspectFunctions(dir);
    expect(reports.map((r) => r.route).sort()).toEqual(["/api/health", "/api/inngest"]);
    expect(problems(ok, reports)).toEqual([]);
  });

  it("fails on PGlite, a rail sandbox, an oversized function, a validation problem or a missing maxDuration", () => {
    const dir = fakeOutput({
      "api/inngest": { files: { "index.js": 10 } },
      "api/health": { files: { "node_modules/@electric-sql/pglite/dist/pglite.wasm": 10 } },
      "pay/[token]": { files: { "lib/rails/bitcoin/sandbox/server.js": 10 } },
      big: { files: { "index.js": MAX_FUNCTION_BYTES + 1 } },
    });
    const found = problems("Build output validation found 2 problem(s)", inspectFunctions(dir)).join("\n");
    expect(found).toContain("validation found 2 problem(s)");
    expect(found).toMatch(/\/api\/health carries PGlite/);
    expect(found).toMatch(/\/pay\/\[token\] carries a rail sandbox/);
    expect(found).toMatch(/\/big is 50\.0 MB unzipped/);
    expect(found).toContain("/api/inngest has no maxDuration");
    expect(problems('Error: Command "npm run build" exited with 1', []).join("\n")).toContain("did not report");
  });
});

describe("check:vercel over compiled-in sandbox code", () => {
  // What a server chunk looks like when a route imports a sandbox statically: the sandbox's
  // code is in the chunk, its file is not in the function.
  const chunk = (marker: string) => `"use strict";(()=>{var e={};e.id=1;(0,t.markSandboxModule)("${marker}");module.exports=e})();`;

  it("names the route and the sandbox module compiled into its server chunks", () => {
    const dir = fakeOutput({
      "api/inngest": { config: { runtime: "nodejs22.x", handler: "index.js", maxDuration: 300 }, files: { "index.js": 10 } },
      "pay/[token]": {
        files: {
          ".next/server/chunks/ssr/991.js": chunk("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/server.ts"),
          ".next/server/chunks/ssr/992.js": chunk("SATCHEL_SANDBOX_MODULE:lib/rails/bitcoin/sandbox/chain.ts"),
        },
      },
      "api/health": { files: { ".next/server/chunks/1.js": chunk("no sandbox here") } },
    });
    const found = problems(ok, inspectFunctions(dir));
    expect(found).toEqual([
      "/pay/[token] carries a rail sandbox (compiled in: lib/rails/mpesa/sandbox/server.ts, in .next/server/chunks/ssr/991.js)",
      "/pay/[token] carries a rail sandbox (compiled in: lib/rails/bitcoin/sandbox/chain.ts, in .next/server/chunks/ssr/992.js)",
    ]);
  });

  it("still names a compiled-in sandbox in a function that also ships hundreds of PGlite files", () => {
    const files: Record<string, number | string> = { ".next/server/chunks/7.js": chunk("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/server.ts") };
    for (let i = 0; i < 200; i++) files[`node_modules/@electric-sql/pglite/dist/ext${i}.tar.gz`] = 1;
    const dir = fakeOutput({ "api/inngest": { config: { runtime: "nodejs22.x", handler: "index.js", maxDuration: 300 }, files } });
    const found = problems(ok, inspectFunctions(dir));
    expect(found).toContain("/api/inngest carries a rail sandbox (compiled in: lib/rails/mpesa/sandbox/server.ts, in .next/server/chunks/7.js)");
    expect(found).toContain("/api/inngest carries 197 more of PGlite (@electric-sql/pglite)");
    expect(found.filter((p) => p.includes("carries PGlite"))).toHaveLength(3);
  });

  it("reads only code: a source map or text naming the marker is not sandbox code", () => {
    const dir = fakeOutput({
      "api/inngest": {
        config: { runtime: "nodejs22.x", handler: "index.js", maxDuration: 300 },
        files: { "index.js.map": chunk("SATCHEL_SANDBOX_MODULE:lib/rails/mpesa/sandbox/server.ts"), "README.txt": "SATCHEL_SANDBOX_MODULE:lib/rails/x" },
      },
    });
    expect(problems(ok, inspectFunctions(dir))).toEqual([]);
  });

  it("every sandbox module carries the marker with its own path, so none can be compiled in unseen", () => {
    const modules = readdirSync(path.join(root, "lib/rails"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, "lib/rails", d.name, "sandbox")))
      .flatMap((d) =>
        readdirSync(path.join(root, "lib/rails", d.name, "sandbox"))
          .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f))
          .map((f) => `lib/rails/${d.name}/sandbox/${f}`),
      );
    expect(modules.length).toBeGreaterThanOrEqual(10);
    const unmarked = modules.filter((m) => !readFileSync(path.join(root, m), "utf8").includes(`markSandboxModule("SATCHEL_SANDBOX_MODULE:${m}");`));
    expect(unmarked).toEqual([]);
  });
});

describe("check:vercel over shared function folders", () => {
  it("names every route whose function carries PGlite when Vercel links routes to one folder", () => {
    const dir = fakeOutput({
      "api/inngest": { config: { runtime: "nodejs22.x", handler: "index.js", maxDuration: 300 }, files: { "index.js": 10 } },
      "account/receipts/[id]/pdf": { files: { "index.js": 10, "node_modules/pglite-prisma-adapter/dist/index.js": 10 } },
    });
    const functions = path.join(dir, ".vercel", "output", "functions");
    mkdirSync(path.join(functions, "api"), { recursive: true });
    symlinkSync(path.join(functions, "account/receipts/[id]/pdf.func"), path.join(functions, "api/planted.func"));
    const reports = inspectFunctions(dir);
    expect(reports).toHaveLength(2);
    const found = problems(ok, reports).join("\n");
    expect(found).toMatch(/carries pglite-prisma-adapter/);
    expect(found).toMatch(/ship with every route of its function \(the function of 2 routes: [^\n]*\/api\/planted/);
  });
});

describe.skipIf(!process.env.SATCHEL_VERCEL_BUILD)("check:vercel with Vercel's builder (SATCHEL_VERCEL_BUILD=1)", () => {
  it("fails when a route imports PGlite or a rail sandbox statically", async () => {
    // A copy of the project (node_modules hard-linked: same files, no 1.7 GB copy), so the
    // planted route never touches this tree or its .next.
    const copy = mkdtempSync(path.join(tmpdir(), "satchel-planted-"));
    temps.push(copy);
    const skip = new Set(["node_modules", ".next", ".git", ".vercel", ".data", "test-results", "playwright-report", "blob-report", "coverage", "reports"]);
    for (const entry of readdirSync(root))
      if (!skip.has(entry) && !entry.startsWith(".stryker-tmp")) cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(copy, "node_modules")]);
    mkdirSync(path.join(copy, "app/api/planted"), { recursive: true });
    writeFileSync(
      path.join(copy, "app/api/planted/route.ts"),
      `import { PGlite } from "@electric-sql/pglite";\nexport const dynamic = "force-dynamic";\nexport async function GET() {\n  return Response.json({ pglite: typeof PGlite });\n}\n`,
    );
    // Our own sandbox code ships no file of its own: it is compiled into the route's chunks.
    mkdirSync(path.join(copy, "app/api/planted-sandbox"), { recursive: true });
    writeFileSync(
      path.join(copy, "app/api/planted-sandbox/route.ts"),
      `import { startFakeDaraja } from "@/lib/rails/mpesa/sandbox/server";\nexport const dynamic = "force-dynamic";\nexport async function GET() {\n  return Response.json({ fake: typeof startFakeDaraja });\n}\n`,
    );
    const result = await checkVercel(copy);
    expect(result.ok).toBe(false);
    // Vercel serves the planted route from a function folder it shares with others (here the
    // one of /account/receipts/[id]/pdf): the check names every route that ships with it.
    const found = result.problems.join("\n");
    expect(found).toMatch(/carries PGlite \(@electric-sql\/pglite\)/);
    expect(found).toMatch(/ship with every route of its function[^\n]*\/api\/planted\b|^\/api\/planted carries PGlite/m);
    expect(found).toMatch(/carries a rail sandbox \(compiled in: lib\/rails\/mpesa\/sandbox\/server\.ts, in [^)]+\.js\)/);
    const sandboxed = result.reports.filter((r) => r.forbidden.some((f) => f.includes("compiled in: lib/rails/mpesa/sandbox/server.ts")));
    expect(sandboxed.flatMap((r) => r.routes)).toContain("/api/planted-sandbox");
    // Nothing else: without the planted import no function has any sandbox compiled in.
    const others = result.reports.filter((r) => !r.routes.includes("/api/planted-sandbox") && !r.routes.includes("/api/planted"));
    expect(others.flatMap((r) => r.forbidden)).toEqual([]);
  }, 600_000);
});
