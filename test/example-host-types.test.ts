import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";

// examples/host-app's generated client types (committed) must be those of today's OpenAPI
// document: a schema change without `npm run generate` in examples/host-app fails here.

const root = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "satchel-types-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("examples/host-app/src/satchel-api.d.ts is generated from the current document", () => {
  const doc = path.join(dir, "satchel-openapi.json");
  const out = path.join(dir, "satchel-api.d.ts");
  writeFileSync(doc, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  execFileSync(path.join(root, "node_modules/.bin/openapi-typescript"), [doc, "-o", out], { stdio: "pipe" });
  const committed = readFileSync(path.join(root, "examples/host-app/src/satchel-api.d.ts"), "utf8");
  expect(committed === readFileSync(out, "utf8"), "run `npm run generate` in examples/host-app").toBe(true);
});
