import { AsyncLocalStorage } from "node:async_hooks";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createUser } from "@/test/factories";

// "No 500 for any malformed request to any route" (issue 11). Every route handler under
// app/**/route.ts (found by walking the file system, so a new route is covered without
// touching this file) and every exported server action ("use server" modules) is called
// directly with bounded, seeded malformed input: invalid JSON, NUL bytes, huge bodies, wrong
// content types, unknown ids, bad query parameters, missing or bad credentials, signed-in
// buyers and admins, path parameters of odd shapes. A route must answer < 500 (503 only for
// "not configured"); an action must return (or redirect / 404, as Next does), never throw.
//
// Next's request scope is what the framework provides around a handler: here next/headers
// reads the current request (an AsyncLocalStorage), and next/cache's revalidation is a no-op.

const scope = vi.hoisted(() => ({ als: null as unknown as AsyncLocalStorage<{ headers: Headers; cookies: Map<string, string> }> }));
scope.als = new AsyncLocalStorage();

vi.mock("next/headers", () => {
  const current = () => scope.als.getStore() ?? { headers: new Headers(), cookies: new Map<string, string>() };
  const cookieStore = () => {
    const s = current();
    return {
      get: (name: string) => (s.cookies.has(name) ? { name, value: s.cookies.get(name)! } : undefined),
      getAll: () => [...s.cookies].map(([name, value]) => ({ name, value })),
      has: (name: string) => s.cookies.has(name),
      set: (name: string | { name: string; value: string }, value?: string) => {
        if (typeof name === "object") s.cookies.set(name.name, name.value);
        else s.cookies.set(name, value ?? "");
      },
      delete: (name: string) => s.cookies.delete(name),
      toString: () => [...s.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    };
  };
  return { headers: async () => current().headers, cookies: async () => cookieStore(), draftMode: async () => ({ isEnabled: false }) };
});
// next-intl's server entry needs the react-server build Next runs actions in; here it reads
// the same message files for English.
vi.mock("next-intl/server", async () => {
  const { translator } = await import("@/lib/i18n/messages");
  return {
    getLocale: async () => "en",
    getTranslations: async (ns?: string | { namespace?: string }) => translator("en", (typeof ns === "string" ? ns : ns?.namespace) as never),
  };
});
vi.mock("next/cache", () => ({
  revalidatePath: () => {},
  revalidateTag: () => {},
  updateTag: () => {},
  refresh: () => {},
  unstable_cache: (fn: unknown) => fn,
  unstable_noStore: () => {},
}));

const root = path.resolve(import.meta.dirname, "..");

function walk(dir: string, pick: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, pick));
    else if (pick(p)) out.push(p);
  }
  return out.sort();
}

const ROUTES = walk(path.join(root, "app"), (f) => /\/route\.ts$/.test(f));
const ACTIONS = walk(path.join(root, "app"), (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f)).filter((f) =>
  /^\s*(\/\/[^\n]*\n\s*)*["']use server["']/.test(readFileSync(f, "utf8")),
);

/** A small seeded PRNG (mulberry32): the same cases every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const seedOf = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

const HUGE = "x".repeat(2 * 1024 * 1024);
const PARAM_VALUES = [
  "x",
  "",
  "0",
  "-1",
  "ck_unknown00000000000000000",
  "../../etc/passwd",
  "a\u0000b",
  "%00",
  "%E0%A4%A",
  "💥",
  "a".repeat(3000),
  "' OR 1=1--",
  "null",
  "1e309",
  "[object Object]",
];
const BODIES: { label: string; body?: BodyInit; type?: string }[] = [
  { label: "none" },
  { label: "invalid json", body: "{ not json", type: "application/json" },
  { label: "nul in json", body: '{"a":"\u0000","email":"a\u0000@b.c","url":"https://x\u0000"}', type: "application/json" },
  { label: "nul raw", body: "\u0000\u0000\u0000", type: "application/json" },
  { label: "json array", body: "[1,2,3]", type: "application/json" },
  { label: "json null", body: "null", type: "application/json" },
  {
    label: "json wrong types",
    body: '{"amount":"lots","credits":-1e309,"package":{"$gt":""},"url":123,"metadata":"x","reference":[],"email":true}',
    type: "application/json",
  },
  { label: "deep json", body: `${"[".repeat(5000)}${"]".repeat(5000)}`, type: "application/json" },
  { label: "huge", body: HUGE, type: "application/json" },
  { label: "form", body: "a=1&b=%00&c=%ZZ", type: "application/x-www-form-urlencoded" },
  { label: "multipart garbage", body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n', type: "multipart/form-data; boundary=y" },
  { label: "text", body: "hello", type: "text/plain" },
  { label: "binary", body: new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3]), type: "application/octet-stream" },
  { label: "bogus charset", body: '{"a":1}', type: "application/json; charset=bogus-9" },
  { label: "no type", body: '{"a":1}' },
];
const QUERIES = [
  "",
  "?days=abc",
  "?days=-5&limit=1e309&cursor=%ff",
  "?limit=0&offset=-1",
  "?status=nope&rail=nope&from=yesterday&to=2026-13-45",
  "?q=%00&page=NaN",
  "?checkout=&hash=&interact_ref=",
  "?checkout=ck_unknown&hash=x&interact_ref=y&result=grant_rejected",
  `?q=${"a".repeat(5000)}`,
  "?a=1&a=2&a=3",
  "?starting_after=%27&ending_before=%00&limit=-1",
  "?format=xml&lang=xx",
];
type Who = "anonymous" | "bad bearer" | "bad cookie" | "buyer" | "admin";
const WHO: Who[] = ["anonymous", "bad bearer", "bad cookie", "buyer", "admin"];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const COOKIE = "authjs.session-token";
const sessions: Record<"buyer" | "admin", string> = { buyer: "", admin: "" };

async function sessionCookie(userId: string): Promise<string> {
  return encode({ token: { sub: userId, sv: 0 }, secret: process.env.AUTH_SECRET!, salt: COOKIE });
}

function authHeaders(who: Who): Record<string, string> {
  switch (who) {
    case "bad bearer":
      return { authorization: "Bearer sk_live_notakey\u0001" };
    case "bad cookie":
      return { cookie: `${COOKIE}=garbage.%00.token; satchel-locale=%ff` };
    case "buyer":
    case "admin":
      return { cookie: `${COOKIE}=${sessions[who]}` };
    default:
      return {};
  }
}

function cookiesOf(h: Headers): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (h.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) m.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return m;
}

/** A route file's URL pattern and its dynamic segments. */
function routeShape(file: string) {
  const rel = path.relative(path.join(root, "app"), path.dirname(file)).split(path.sep);
  const segments = rel.filter((s) => !/^\(.*\)$/.test(s));
  const dynamic = segments.filter((s) => /^\[.*\]$/.test(s)).map((s) => ({ name: s.replace(/^\[(\.\.\.)?|\]$/g, ""), rest: s.startsWith("[...") }));
  return { segments, dynamic };
}

/** Next's own control-flow throws (redirect(), notFound(), forbidden()) are answers, not 500s. */
function isNextControlFlow(err: unknown): boolean {
  const digest = (err as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && /^(NEXT_REDIRECT|NEXT_HTTP_ERROR_FALLBACK|NEXT_NOT_FOUND)/.test(digest);
}

const failures: string[] = [];

beforeAll(async () => {
  process.env.CHECKOUT_RATE_LIMIT_PER_HOUR ??= "10000";
  const buyer = await createUser();
  const admin = await createUser({ role: "admin" });
  sessions.buyer = await sessionCookie(buyer.id);
  sessions.admin = await sessionCookie(admin.id);
});

afterAll(() => {
  if (failures.length) console.error(failures.join("\n"));
});

describe("every route handler answers malformed requests with < 500", () => {
  it("finds the routes", () => {
    expect(ROUTES.length).toBeGreaterThan(20);
  });

  for (const file of ROUTES) {
    const rel = path.relative(root, file);
    it(rel, async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const methods = METHODS.filter((m) => typeof mod[m] === "function");
      expect(methods.length, `${rel} exports no handler`).toBeGreaterThan(0);
      const { segments, dynamic } = routeShape(file);
      const rand = rng(seedOf(rel));
      const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
      const bad: string[] = [];
      for (let i = 0; i < 20; i++) {
        const method = methods[i % methods.length]!;
        const who = i < WHO.length ? WHO[i]! : pick(WHO);
        const body = method === "GET" || method === "HEAD" ? BODIES[0]! : pick(BODIES);
        const query = pick(QUERIES);
        const params: Record<string, string | string[]> = {};
        for (const d of dynamic) params[d.name] = d.rest ? [pick(PARAM_VALUES), pick(PARAM_VALUES)].filter(Boolean) : pick(PARAM_VALUES);
        const urlPath = `/${segments
          .map((s) => {
            const d = dynamic.find((x) => s.includes(x.name) && s.startsWith("["));
            if (!d) return s;
            const v = params[d.name]!;
            return (Array.isArray(v) ? v : [v]).map((x) => encodeURIComponent(x) || "_").join("/");
          })
          .join("/")}`;
        const headers = new Headers({
          ...authHeaders(who),
          ...(body.type ? { "content-type": body.type } : {}),
          origin: pick(["http://localhost", "https://evil.example", "null"]),
        });
        const req = new NextRequest(`http://localhost${urlPath}${query}`, { method, headers, body: body.body });
        const label = `${method} ${urlPath.slice(0, 80)}${query.slice(0, 40)} as ${who}, body ${body.label}`;
        try {
          const res = await scope.als.run({ headers: req.headers, cookies: cookiesOf(req.headers) }, () =>
            (mod[method] as (r: NextRequest, ctx: unknown) => Promise<Response>)(req, { params: Promise.resolve(params) }),
          );
          const text = res.status >= 500 ? await res.text() : "";
          if (res.status >= 500 && !(res.status === 503 && /configur|is not set/i.test(text))) bad.push(`${label} → ${res.status} ${text.slice(0, 200)}`);
        } catch (err) {
          if (!isNextControlFlow(err)) bad.push(`${label} → threw ${(err as Error)?.stack?.split("\n").slice(0, 4).join(" | ") ?? String(err)}`);
        }
      }
      failures.push(...bad.map((b) => `${rel}: ${b}`));
      expect(bad, rel).toEqual([]);
    });
  }
});

describe("every server action survives malformed FormData", () => {
  it("finds the actions", () => {
    expect(ACTIONS.length).toBeGreaterThan(3);
  });

  for (const file of ACTIONS) {
    const rel = path.relative(root, file);
    it(rel, async () => {
      const mod = (await import(file)) as Record<string, unknown>;
      const actions = Object.entries(mod).filter(([, v]) => typeof v === "function") as [string, (...a: unknown[]) => Promise<unknown>][];
      const rand = rng(seedOf(rel));
      const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
      const bad: string[] = [];
      const FIELDS = [
        "id",
        "checkoutId",
        "email",
        "password",
        "name",
        "token",
        "reason",
        "requestId",
        "kind",
        "amount",
        "credits",
        "role",
        "userId",
        "locale",
        "phone",
        "walletAddress",
        "rail",
        "packageId",
        "slug",
        "url",
        "code",
        "callbackUrl",
        "next",
        "enabled",
      ];
      for (const [name, fn] of actions) {
        for (let i = 0; i < 12; i++) {
          const who = i < WHO.length ? WHO[i]! : pick(WHO);
          const form = new FormData();
          const n = Math.floor(rand() * 8);
          for (let k = 0; k < n; k++)
            form.append(pick(FIELDS), pick([...PARAM_VALUES, HUGE.slice(0, 200_000), "https://127.0.0.1:5432/", "javascript:alert(1)", "//evil.example"]));
          if (rand() < 0.2) form.append("file", new Blob([new Uint8Array([0, 1, 2])]), "x.bin");
          const headers = new Headers({ ...authHeaders(who), origin: "http://localhost", host: "localhost" });
          const args = fn.length >= 2 ? [pick([undefined, null, { ok: false }, "x"]), form] : [rand() < 0.1 ? pick([undefined, null, "x"]) : form];
          const label = `${name}(${fn.length >= 2 ? "state, " : ""}form with ${[...form.keys()].join(",") || "nothing"}) as ${who}`;
          try {
            await scope.als.run({ headers, cookies: cookiesOf(headers) }, () => fn(...args));
          } catch (err) {
            if (!isNextControlFlow(err)) bad.push(`${label} → threw ${(err as Error)?.stack?.split("\n").slice(0, 4).join(" | ") ?? String(err)}`);
          }
        }
      }
      failures.push(...bad.map((b) => `${rel}: ${b}`));
      expect(bad, rel).toEqual([]);
    });
  }
});
