// check:vercel must catch what would break or bloat a Vercel deployment. The fast part reads
// hand-made build output; the slow part (SATCHEL_VERCEL_BUILD=1, the `vercel` stage of
// `npm test`) runs Vercel's real builder on a copy of the project with PGlite planted into a
// route's imports and expects the check to fail naming it.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkVercel, inspectFunctions, MAX_FUNCTION_BYTES, problems } from "./check-vercel";

const root = path.resolve(__dirname, "..");
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function fakeOutput(funcs: Record<string, { config?: object; files?: Record<string, number> }>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-vercel-out-"));
  temps.push(dir);
  for (const [route, f] of Object.entries(funcs)) {
    const funcDir = path.join(dir, ".vercel", "output", "functions", `${route}.func`);
    mkdirSync(funcDir, { recursive: true });
    writeFileSync(path.join(funcDir, ".vc-config.json"), JSON.stringify(f.config ?? { runtime: "nodejs22.x", handler: "index.js" }));
    for (const [file, size] of Object.entries(f.files ?? {})) {
      mkdirSync(path.dirname(path.join(funcDir, file)), { recursive: true });
      writeFileSync(path.join(funcDir, file), Buffer.alloc(size));
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
  it("fails when a route imports PGlite statically", async () => {
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
    const result = await checkVercel(copy);
    expect(result.ok).toBe(false);
    // Vercel serves the planted route from a function folder it shares with others (here the
    // one of /account/receipts/[id]/pdf): the check names every route that ships with it.
    const found = result.problems.join("\n");
    expect(found).toMatch(/carries PGlite \(@electric-sql\/pglite\)/);
    expect(found).toMatch(/ship with every route of its function[^\n]*\/api\/planted\b|^\/api\/planted carries PGlite/m);
  }, 600_000);
});
