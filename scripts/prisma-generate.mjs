// `prisma generate` only reads the schema, but the Prisma CLI still looks for its
// schema-engine binary first and tries to download it when absent. Where that download is
// impossible (offline build machines) pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing
// file lets generate run; where a real engine is installed we leave it alone.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const require = createRequire(import.meta.url);
  let enginesDir = null;
  try {
    enginesDir = path.dirname(require.resolve("@prisma/engines/package.json"));
  } catch {}
  const hasEngine = enginesDir && readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
  if (!hasEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const prismaCli = path.join("node_modules", "prisma", "build", "index.js");
if (!existsSync(prismaCli)) {
  console.error("prisma is not installed: run npm ci first");
  process.exit(1);
}
const r = spawnSync(process.execPath, [prismaCli, "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
