import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTES } from "@/lib/api/openapi";

// The README's "Integrate with your app" curls must be requests the API accepts: each names a
// real /api/v1 route and method, sends the key, the Idempotency-Key where one is required, and
// a body the route's own zod schema parses.

const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
const section = readme.slice(readme.indexOf("### Integrate with your app"), readme.indexOf("## The buyer's checkout"));

function curls(): string[] {
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("curl ")),
  );
}

describe("README: Integrate with your app", () => {
  const commands = curls();

  it("has the curls of the round trip", () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
  });

  it.each(commands.map((c) => [c.slice(0, 90), c]))("%s … is a valid request", (_, command) => {
    const url = /"\$SATCHEL(\/api\/v1[^"]*)"/.exec(command)?.[1];
    expect(url, "the URL").toBeTruthy();
    const p = url!.replace(/^\/api\/v1/, "").split("?")[0]!;
    const data = /-d '([\s\S]*?)'/.exec(command)?.[1];
    const method = /-X (\w+)/.exec(command)?.[1]?.toLowerCase() ?? (data ? "post" : "get");
    const route = ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(p));
    expect(route, `${method.toUpperCase()} ${p} is a route`).toBeTruthy();
    expect(command).toContain('-H "Authorization: Bearer $SATCHEL_API_KEY"');
    if (route!.idempotency === "required") expect(command).toMatch(/-H 'Idempotency-Key: [^']+'/);
    if (route!.body) {
      expect(command).toContain("-H 'Content-Type: application/json'");
      const parsed = route!.body.safeParse(JSON.parse(data ?? "{}"));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
    if (route!.params) {
      const names = [...route!.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const values = new RegExp(`^${route!.path.replace(/\{[^}]+\}/g, "([^/]+)")}$`).exec(p)!.slice(1);
      expect(route!.params.safeParse(Object.fromEntries(names.map((n, i) => [n, values[i]]))).success).toBe(true);
    }
  });
});
