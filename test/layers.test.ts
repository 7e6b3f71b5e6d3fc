import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The layer rules, enforced over the real import graph (parsed with the TypeScript compiler):
//   - lib/ never imports app/, components/ or inngest/; components/ never imports app/;
//   - inside lib/, imports only flow downwards:
//       admin · api · server-start · health            (top: what routes and pages call)
//       lifecycle · receipts · host · refunds          (orchestration; host: the host-application API's domain; refunds of money)
//       webhooks                                       (the one webhook entry)
//       checkouts                                      (the checkout core: facts → status)
//       rails                                          (plug-ins: talk to providers, return facts)
//       db · money · outbox · inbox · ledger · rates · email · env · log · … (ground floor)
//   - a rail never imports another rail (only lib/rails/types.ts, sandbox.ts and sandbox-marker.ts);
//   - only a rail's sandbox-gate.ts imports its sandbox/, and lazily (builds for Vercel drop it);
//   - no two folders import each other.
// A new import that breaks one of these fails here, naming the file and the import.

const root = path.resolve(import.meta.dirname, "..");

const RANK: Record<string, number> = {
  admin: 5,
  api: 5,
  "server-start": 5,
  health: 5,
  lifecycle: 4,
  host: 4,
  receipts: 4,
  refunds: 4,
  webhooks: 3,
  checkouts: 2,
  rails: 1,
};
/** Everything else in lib/ is the ground floor (rank 0). */
const rankOf = (libUnit: string) => RANK[libUnit] ?? 0;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (name === "node_modules" || name === "generated" || name.startsWith(".")) continue;
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and import("…") calls. */
function importsOf(file: string, source = readFileSync(file, "utf8")): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const specs: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      specs.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      specs.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

/** The repo-relative path an import points at, or null for packages. */
function target(from: string, spec: string): string | null {
  if (spec.startsWith("@/")) return spec.slice(2);
  if (spec.startsWith(".")) return path.relative(root, path.resolve(path.dirname(from), spec));
  return null;
}

/** The unit a path belongs to: a top-level folder, lib/<folder or file>, or lib/rails/<rail>. */
function unitOf(rel: string): string {
  const parts = rel.replace(/\.(ts|tsx)$/, "").split("/");
  if (parts[0] !== "lib") return parts[0]!;
  if (parts[1] === "rails" && parts.length > 3) return `lib/rails/${parts[2]}`;
  if (parts[1] === "rails") return `lib/rails/${parts[2]}`; // types, registry, sandbox
  return `lib/${parts[1]}`;
}

interface Edge {
  file: string;
  spec: string;
  from: string;
  to: string;
}

/** Known exceptions, each with its owner (none today: components/ no longer imports app/). */
const KNOWN: readonly string[] = [];
const known = (e: Edge) => KNOWN.includes(`${e.file} imports "${e.spec}"`);

function violations(all: Edge[]): string[] {
  const out: string[] = [];
  const edges = all.filter((e) => !known(e));
  for (const e of edges) {
    const why = (rule: string) => out.push(`${e.file} imports "${e.spec}": ${rule}`);
    if (e.from.startsWith("lib") && ["app", "components", "inngest"].includes(e.to)) why(`lib/ never imports ${e.to}/`);
    if (e.from === "components" && e.to === "app") why("components/ never imports app/");
    if (!e.from.startsWith("lib/") || !e.to.startsWith("lib/")) continue;
    const [fromTop, toTop] = [e.from.split("/")[1]!, e.to.split("/")[1]!];
    if (rankOf(toTop) > rankOf(fromTop)) why(`lib/${fromTop} is below lib/${toTop}`);
    const rail = (u: string) =>
      u.startsWith("lib/rails/") && !["lib/rails/types", "lib/rails/registry", "lib/rails/sandbox", "lib/rails/sandbox-marker"].includes(u) ? u : null;
    if (rail(e.from) && rail(e.to) && e.from !== e.to) why(`a rail never imports another rail (${e.from} → ${e.to})`);
    if (rail(e.to) && e.from.startsWith("lib/rails/") && e.from === "lib/rails/types") why("the contract never imports a rail");
  }
  // No two units import each other.
  const pairs = new Set(edges.filter((e) => e.from !== e.to).map((e) => `${e.from} → ${e.to}`));
  for (const p of pairs) {
    const [a, b] = p.split(" → ") as [string, string];
    if (a < b && pairs.has(`${b} → ${a}`)) {
      const sample = (x: string, y: string) => edges.find((e) => e.from === x && e.to === y)!.file;
      out.push(`${a} and ${b} import each other (${sample(a, b)}, ${sample(b, a)})`);
    }
  }
  return out;
}

function graph(): Edge[] {
  const edges: Edge[] = [];
  for (const dir of ["app", "components", "inngest", "lib"]) {
    for (const abs of files(path.join(root, dir))) {
      const file = path.relative(root, abs);
      for (const spec of importsOf(abs)) {
        const to = target(abs, spec);
        if (to === null) continue;
        edges.push({ file, spec, from: unitOf(file), to: unitOf(to) });
      }
    }
  }
  return edges;
}

/**
 * Value imports of a rail's sandbox (lib/rails/<rail>/sandbox/) from code the app's bundles are
 * built from, outside the sandboxes themselves: only a rail's sandbox-gate.ts may import one,
 * and only lazily (import()), so a build for Vercel can drop it (see next.config.ts). Type-only
 * imports are erased and allowed anywhere.
 */
function sandboxImports(file: string, source = readFileSync(file, "utf8")): string[] {
  const rel = path.relative(root, file);
  if (/^lib\/rails\/[^/]+\/sandbox\//.test(rel)) return [];
  const gate = /^lib\/rails\/[^/]+\/sandbox-gate\.ts$/.test(rel);
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const isSandbox = (spec: string) => {
    const to = target(file, spec);
    return to !== null && /^lib\/rails\/[^/]+\/sandbox(\/|$)/.test(to);
  };
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node)
        ? node.importClause?.isTypeOnly ||
          (node.importClause !== undefined &&
            !node.importClause.name &&
            node.importClause.namedBindings !== undefined &&
            ts.isNamedImports(node.importClause.namedBindings) &&
            node.importClause.namedBindings.elements.every((e) => e.isTypeOnly))
        : node.isTypeOnly;
      if (!typeOnly && isSandbox(node.moduleSpecifier.text)) out.push(`${rel} imports "${node.moduleSpecifier.text}" statically`);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]))
      if (!gate && isSandbox(node.arguments[0].text)) out.push(`${rel} imports "${node.arguments[0].text}" outside its rail's sandbox-gate.ts`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

describe("sandboxes stay out of builds that leave them out", () => {
  it("only a rail's sandbox-gate.ts imports its sandbox, and only with import()", () => {
    const bundled = [
      ...["app", "components", "inngest", "lib"].flatMap((d) => files(path.join(root, d))),
      path.join(root, "instrumentation.ts"),
      path.join(root, "proxy.ts"),
    ];
    expect(bundled.flatMap((f) => sandboxImports(f))).toEqual([]);
  });

  it("catches a static import, a lazy one outside the gate, and allows types and the gate", () => {
    const at = (rel: string, src: string) => sandboxImports(path.join(root, rel), src);
    expect(at("lib/rails/mpesa/client.ts", `import { localDaraja } from "./sandbox";`)).toEqual(['lib/rails/mpesa/client.ts imports "./sandbox" statically']);
    expect(at("app/api/x/route.ts", `import { startFakeDaraja } from "@/lib/rails/mpesa/sandbox/server";`)).toEqual([
      'app/api/x/route.ts imports "@/lib/rails/mpesa/sandbox/server" statically',
    ]);
    expect(at("lib/checkouts/rails.ts", `const m = await import("@/lib/rails/interledger/sandbox");`)).toEqual([
      'lib/checkouts/rails.ts imports "@/lib/rails/interledger/sandbox" outside its rail\'s sandbox-gate.ts',
    ]);
    expect(
      at("lib/rails/bitcoin/rail.ts", `import type { SimulateAction } from "./sandbox/controls"; import { type A, type B } from "./sandbox/server";`),
    ).toEqual([]);
    expect(
      at("lib/rails/bitcoin/sandbox-gate.ts", `export const s = () => (process.env.SATCHEL_SANDBOXES === "0" ? null : import("./sandbox/server"));`),
    ).toEqual([]);
    expect(at("lib/rails/bitcoin/sandbox/controls.ts", `import { simulator } from "./server";`)).toEqual([]);
  });
});

describe("layers", () => {
  it("no import goes upwards, no rail imports another, no two folders import each other", () => {
    const edges = graph();
    expect(edges.length).toBeGreaterThan(300);
    expect(violations(edges)).toEqual([]);
  });

  it("catches an upward import, a rail importing another, and a pair importing each other", () => {
    const e = (file: string, spec: string): Edge => ({ file, spec, from: unitOf(file), to: unitOf(target(path.join(root, file), spec)!) });
    expect(
      violations([
        e("lib/rails/mpesa/rail.ts", "@/lib/checkouts/apply"),
        e("lib/checkouts/apply.ts", "@/lib/lifecycle/stages"),
        e("lib/ledger/ledger.ts", "@/lib/rails/registry"),
        e("lib/rails/mpesa/rail.ts", "../bitcoin/amounts"),
        e("lib/outbox/outbox.ts", "@/inngest/client"),
        e("lib/env.ts", "@/lib/log"),
        e("lib/log.ts", "@/lib/env"),
      ]),
    ).toEqual([
      'lib/rails/mpesa/rail.ts imports "@/lib/checkouts/apply": lib/rails is below lib/checkouts',
      'lib/checkouts/apply.ts imports "@/lib/lifecycle/stages": lib/checkouts is below lib/lifecycle',
      'lib/ledger/ledger.ts imports "@/lib/rails/registry": lib/ledger is below lib/rails',
      'lib/rails/mpesa/rail.ts imports "../bitcoin/amounts": a rail never imports another rail (lib/rails/mpesa → lib/rails/bitcoin)',
      'lib/outbox/outbox.ts imports "@/inngest/client": lib/ never imports inngest/',
      "lib/env and lib/log import each other (lib/env.ts, lib/log.ts)",
    ]);
  });

  it("reads every kind of import: static, type-only, re-export and dynamic", () => {
    const src = `import a from "@/lib/a"; import type { B } from "./b"; export { c } from "@/lib/c"; const d = await import("@/lib/d");`;
    expect(importsOf("x.ts", src)).toEqual(["@/lib/a", "./b", "@/lib/c", "@/lib/d"]);
  });
});
