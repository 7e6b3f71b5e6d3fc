import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as servedDocument } from "@/app/api/v1/openapi.json/route";
import { openApiDocument } from "./openapi";

// The OpenAPI document must describe every /api/v1 route the filesystem holds, with the methods
// its route.ts exports — and nothing that does not exist. A new route without its entry in
// lib/api/openapi.ts fails here, named.

const root = path.resolve(import.meta.dirname, "../..");
const apiDir = path.join(root, "app/api/v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return routeFiles(p);
    return name === "route.ts" ? [p] : [];
  });
}

/** "METHOD /path/{param}" for every handler the filesystem exports (the document itself excluded). */
function filesystemOperations(): string[] {
  const ops: string[] = [];
  for (const file of routeFiles(apiDir)) {
    const dir = path.relative(apiDir, path.dirname(file)).split(path.sep).filter(Boolean);
    if (dir.join("/") === "openapi.json") continue;
    const route = `/${dir.map((seg) => seg.replace(/^\[(.+)\]$/, "{$1}")).join("/")}`;
    const source = readFileSync(file, "utf8");
    for (const m of METHODS) if (new RegExp(`export\\s+(const|(async\\s+)?function)\\s+${m}\\b`).test(source)) ops.push(`${m} ${route}`);
  }
  return ops.sort();
}

function documentedOperations(doc = openApiDocument()): string[] {
  return Object.entries(doc.paths ?? {})
    .flatMap(([p, item]) => METHODS.filter((m) => (item as Record<string, unknown>)[m.toLowerCase()]).map((m) => `${m} ${p}`))
    .sort();
}

describe("the /api/v1 OpenAPI document", () => {
  it("documents every route under app/api/v1 with exactly the methods it exports", () => {
    const fs = filesystemOperations();
    expect(fs.length).toBeGreaterThanOrEqual(15);
    expect(fs).toContain("POST /customers/{external_id}/debits");
    const documented = documentedOperations();
    expect(
      fs.filter((op) => !documented.includes(op)),
      "routes missing from lib/api/openapi.ts",
    ).toEqual([]);
    expect(
      documented.filter((op) => !fs.includes(op)),
      "documented operations without a route",
    ).toEqual([]);
  });

  it("is OpenAPI 3.1 with bearer auth, typed errors, Idempotency-Key and pagination", () => {
    const doc = openApiDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components?.securitySchemes?.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const debit = doc.paths?.["/customers/{external_id}/debits"]?.post;
    const params = (debit?.parameters ?? []) as { name: string; in: string; required?: boolean }[];
    expect(params).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }));
    expect(params).toContainEqual(expect.objectContaining({ name: "external_id", in: "path", required: true }));
    expect(Object.keys(debit?.responses ?? {})).toEqual(expect.arrayContaining(["201", "400", "401", "402", "403", "409", "422", "429"]));
    expect(JSON.stringify(debit?.responses?.["402"])).toContain("#/components/schemas/Error");
    const error = doc.components?.schemas?.Error as { properties: { error: { required: string[] } } };
    expect(error.properties.error.required).toEqual(["type", "code", "message", "param"]);
    const listParams = (doc.paths?.["/events"]?.get?.parameters ?? []) as { name: string }[];
    expect(listParams.map((p) => p.name)).toEqual(expect.arrayContaining(["limit", "starting_after", "type", "customer"]));
    const session = doc.paths?.["/checkout-sessions"]?.post?.requestBody as { content: Record<string, { schema: { required: string[] } }> };
    expect(session.content["application/json"]?.schema.required).toEqual(expect.arrayContaining(["customer", "success_url"]));
  });

  it("is served at GET /api/v1/openapi.json without an API key", async () => {
    const res = servedDocument();
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(documentedOperations(body)).toEqual(documentedOperations());
  });
});
