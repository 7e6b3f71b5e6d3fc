// `npm run bench`: speed figures, each next to a baseline measured in the same run on the
// same machine, so the ratios mean something wherever it runs. Not a test: nothing here
// passes or fails; it prints numbers.
//
//   1. Checkout creation (POST /api/checkouts) vs a bare route (GET /api/health: the route
//      wrapper plus one SELECT 1), p50/p99 latency and throughput with autocannon against
//      `next start` on a throwaway PostgreSQL.
//   2. What the buyer's polling policy costs the chain backend: pollers hammer one open
//      checkout's status; a counting proxy in front of the chain simulator tells how many
//      Esplora calls that caused, extrapolated to one watched checkout for an hour.
//   3. Page weight: the gzipped JavaScript the landing page and a checkout page load, against
//      their budgets (issue 12: checkout ≤ 165 kB, landing ≤ 140 kB), with the framework's
//      own share (the not-found page: React + Next's runtime) as the baseline.
//   4. Host API debits (POST /api/v1/customers/{id}/debits, a fresh Idempotency-Key each) vs
//      the same bare route, at the same connections: p50/p99 and throughput (targets: p99 <
//      30 ms at 8 connections, ≥ 0.5× the bare route's throughput), all on one customer (the
//      worst case: every debit queues for that customer's row lock), then spread over 8.
//
// BENCH_ONLY=debits (or any of checkouts, polling, pages, debits, extras, comma-separated)
// runs only those sections.
//   5. Anything registered in scripts/bench-*.ts that exports `bench()` (the reconciler
//      sweep and the webhook deliveries register themselves there).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import autocannon from "autocannon";
import { startSimulator } from "@/lib/rails/bitcoin/sandbox/server";
import { createDatabase, dropDatabase, migrateUrl, withClient } from "../test/db";
import { formatWeight, kB, pageWeight } from "./page-weight";
import { freePort, type PgCluster, startCluster } from "./pg-cluster";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
/** BENCH_ONLY=debits (comma-separated: checkouts, polling, pages, debits, extras): run only those sections. */
const ONLY = process.env.BENCH_ONLY?.split(",")
  .map((s) => s.trim())
  .filter(Boolean);
const want = (section: "checkouts" | "polling" | "pages" | "debits" | "extras") => !ONLY?.length || ONLY.includes(section);

let cluster: PgCluster | undefined;
let server: ChildProcess | undefined;
const cleanups: (() => unknown)[] = [];
process.on("exit", () => {
  server?.kill("SIGTERM");
  cluster?.stop();
});

function ensureBuild(): void {
  if (existsSync(".next/BUILD_ID")) return;
  console.log("No production build found: running next build first…");
  const r = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) throw new Error("next build failed");
}

/** A tiny reverse proxy that counts requests to the chain backend. */
async function countingProxy(target: string) {
  const stats = { requests: 0 };
  const upstream = new URL(target);
  const proxy = createServer((req, res) => {
    if (!req.url?.startsWith("/_sim")) stats.requests++;
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, stats, close: () => proxy.close() };
}

async function startApp(env: NodeJS.ProcessEnv, port: number): Promise<void> {
  server = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []), "node_modules/next/dist/bin/next", "start", "-p", String(port)],
    { env, stdio: ["ignore", "ignore", "inherit"] },
  );
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the app did not start");
}

/** Signs in through Auth.js's credentials flow and returns the session cookie. */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/account" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.includes("session-token="));
  if (!session) throw new Error(`sign-in failed (${res.status})`);
  return session.split(";")[0]!;
}

interface Figures {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

async function load(opts: autocannon.Options): Promise<Figures> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.non2xx + r.errors };
}

const fmt = (f: Figures) => `p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms  ${f.rps.toFixed(0)} req/s  (${f.errors} non-2xx/errors)`;

async function main() {
  ensureBuild();
  const given = process.env.DATABASE_URL?.trim();
  if (!given) cluster = await startCluster();
  const admin = given ?? cluster!.url;
  const name = `satchel_bench_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(admin, name);
  cleanups.push(() => dropDatabase(admin, name));
  await migrateUrl(url);
  const password = randomBytes(12).toString("base64url");
  const email = "bench@satchel.local";
  await withClient(url, async (c) => {
    await c.query(
      `INSERT INTO "CreditPackage" (id, slug, name, credits, "priceMinor", currency, "sortOrder", "updatedAt") VALUES ('pkg_medium', 'medium', 'Medium', 500, 2000, 'USD', 2, now())`,
    );
    await c.query(`INSERT INTO "User" (id, email, "passwordHash", role, "updatedAt") VALUES ('bench_user', $1, $2, 'buyer', now())`, [
      email,
      await hash(password),
    ]);
  });

  const sim = await startSimulator({ port: 0 });
  cleanups.push(() => sim.close());
  const proxy = await countingProxy(sim.url);
  cleanups.push(() => proxy.close());
  const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-bench-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = Number(process.env.BENCH_PORT) || (await freePort());
  const base = `http://127.0.0.1:${port}`;
  await startApp(
    {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      AUTH_TRUST_HOST: "true",
      APP_URL: base,
      SATCHEL_DATA_DIR: dataDir,
      BTC_NETWORK: "regtest",
      BTC_CHAIN_BACKEND: "esplora", // the counting proxy sits in front of the simulator's Esplora API
      ESPLORA_API_URL: proxy.url,
      RATE_SOURCE: "fixed",
      BTC_FIXED_RATE: "100000",
      CHECKOUT_RATE_LIMIT_PER_HOUR: "10000",
      RECONCILE_INTERVAL_SECONDS: "3600",
      LOG_LEVEL: "error",
    },
    port,
  );
  const cookie = await signIn(base, email, password);
  const apiKey = `sk_${randomBytes(6).toString("hex")}_${randomBytes(32).toString("base64url")}`;
  await withClient(url, (c) =>
    c.query(
      `INSERT INTO "ApiKey" (id, name, prefix, "secretHash", scopes, "rateLimitPerMinute") VALUES ('bench_key', 'bench', $1, $2, ARRAY['read','credits:write'], 1000000)`,
      [apiKey.slice(0, 15), createHash("sha256").update(apiKey).digest("hex")],
    ),
  );

  await load({ url: `${base}/api/health`, duration: 2 }); // warm-up
  if (want("checkouts")) await benchCheckouts(base, cookie);
  const id = want("polling") || want("pages") ? await benchPolling(base, cookie, proxy.stats) : "";
  if (want("pages")) await benchPages(base, cookie, id);
  if (want("debits")) await benchDebits(base, url, apiKey);
  if (want("extras")) await benchExtras(url, admin);
}

async function benchCheckouts(base: string, cookie: string) {
  console.log(`\n1. Checkout creation vs a bare route (${CONNECTIONS} connections, ${SECONDS}s each)`);
  const bare = await load({ url: `${base}/api/health` });
  console.log(`   baseline GET /api/health   ${fmt(bare)}`);
  const create = await load({
    url: `${base}/api/checkouts`,
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ packageId: "medium", rail: "btc" }),
  });
  console.log(`   POST /api/checkouts         ${fmt(create)}`);
  console.log(
    `   ratio: p50 ×${(create.p50 / Math.max(bare.p50, 0.1)).toFixed(2)}, p99 ×${(create.p99 / Math.max(bare.p99, 0.1)).toFixed(2)}, throughput ×${(create.rps / bare.rps).toFixed(2)}`,
  );
}

async function benchPolling(base: string, cookie: string, stats: { requests: number }): Promise<string> {
  const proxy = { stats };
  console.log("\n2. Chain calls caused by the buyer's status polling");
  const created = await fetch(`${base}/api/checkouts`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json" },
    body: JSON.stringify({ packageId: "medium", rail: "btc" }),
  });
  const { id } = (await created.json()) as { id: string };
  // One observation's cost: a poll after the 2 s throttle has passed.
  await new Promise((r) => setTimeout(r, 2200));
  const single = proxy.stats.requests;
  await fetch(`${base}/api/checkouts/${id}`, { headers: { cookie } });
  const perObservation = proxy.stats.requests - single;

  const pollSeconds = Number(process.env.BENCH_POLL_SECONDS ?? 20);
  const pollers = 5;
  const before = proxy.stats.requests;
  let polls = 0;
  const until = Date.now() + pollSeconds * 1000;
  await Promise.all(
    Array.from({ length: pollers }, async () => {
      while (Date.now() < until) {
        await fetch(`${base}/api/checkouts/${id}`, { headers: { cookie } });
        polls++;
        await new Promise((r) => setTimeout(r, 500));
      }
    }),
  );
  const calls = proxy.stats.requests - before;
  const perHour = (calls / pollSeconds) * 3600;
  const unthrottled = polls * perObservation;
  console.log(`   one observation = ${perObservation} Esplora calls (tip height + address history)`);
  console.log(`   ${pollers} tabs polling every 0.5 s for ${pollSeconds}s: ${polls} polls → ${calls} Esplora calls`);
  console.log(`   ⇒ ${perHour.toFixed(0)} chain calls per open checkout per hour, however many tabs watch it`);
  console.log(`   baseline without the throttle (every poll observes): ${unthrottled} calls; ratio ×${(calls / Math.max(1, unthrottled)).toFixed(3)}`);
  console.log(
    `   a normal page (one tab, 2.5 s poll) costs ${((3600 / 2.5) * perObservation).toFixed(0)} calls per hour while visible, ${((3600 / 30) * perObservation).toFixed(0)} while hidden`,
  );

  return id;
}

async function benchPages(base: string, cookie: string, id: string) {
  console.log("\n3. Page weight (gzipped JavaScript a browser downloads)");
  const PAGE_BUDGETS = { landing: 140_000, checkout: 165_000 };
  const framework = await pageWeight(base, "/no-such-page", undefined, 404);
  console.log(`   ${formatWeight("baseline 404 page", framework)}`);
  const landing = await pageWeight(base, "/");
  console.log(`   ${formatWeight("landing /", landing, PAGE_BUDGETS.landing)}`);
  const checkout = await pageWeight(base, `/checkout/${id}`, cookie);
  console.log(`   ${formatWeight("checkout /checkout/:id", checkout, PAGE_BUDGETS.checkout)}`);
  const buy = await pageWeight(base, "/buy/medium", cookie);
  console.log(`   ${formatWeight("buy /buy/medium", buy)}`);
  console.log(`   the pages' own share: landing ${kB(landing.gzipBytes - framework.gzipBytes)}, checkout ${kB(checkout.gzipBytes - framework.gzipBytes)}`);
}

async function benchDebits(base: string, url: string, apiKey: string) {
  console.log(`\n4. Host API debits vs the bare route (${CONNECTIONS} connections, ${SECONDS}s each)`);
  const auth = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const post = (p: string, body: unknown) =>
    fetch(`${base}${p}`, { method: "POST", headers: { ...auth, "idempotency-key": randomBytes(8).toString("hex") }, body: JSON.stringify(body) });
  if (!(await post("/api/v1/customers", { external_id: "bench-customer" })).ok) throw new Error("could not create the bench customer");
  if (!(await post("/api/v1/customers/bench-customer/grants", { amount: 100_000_000, reason: "bench" })).ok) throw new Error("could not grant credits");
  const bare2 = await load({ url: `${base}/api/health` });
  console.log(`   baseline GET /api/health                      ${fmt(bare2)}`);
  const debits = await load({
    url: `${base}/api/v1/customers/bench-customer/debits`,
    method: "POST",
    headers: auth,
    body: JSON.stringify({ amount: 1, description: "bench" }),
    requests: [
      {
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, "idempotency-key": randomBytes(12).toString("hex") } }),
      },
    ],
  });
  console.log(`   POST /api/v1/customers/{id}/debits            ${fmt(debits)}`);
  console.log(
    `   p99 ${debits.p99.toFixed(1)} ms (target < 30 ms: ${debits.p99 < 30 ? "met" : "NOT met"}); throughput ×${(debits.rps / bare2.rps).toFixed(2)} of bare (target ≥ 0.5: ${debits.rps / bare2.rps >= 0.5 ? "met" : "NOT met"})`,
  );
  // Entries and balance from one statement (one snapshot): debits still in flight as the
  // load stops commit between two separate reads and would show a false mismatch.
  await withClient(url, async (c) => {
    const r = await c.query(
      `SELECT u.balance::bigint AS b, (SELECT count(*) FROM "LedgerEntry" e WHERE e."userId" = u.id)::int AS n,
              (SELECT coalesce(sum(amount), 0) FROM "LedgerEntry" e WHERE e."userId" = u.id)::bigint AS s
       FROM "Customer" cu JOIN "User" u ON u.id = cu."userId" WHERE cu."externalId" = 'bench-customer'`,
    );
    const row = r.rows[0] as { b: string; n: number; s: string };
    console.log(`   ledger after the run: ${row.n} entries, Σ ${row.s} = balance ${row.b}: ${row.s === row.b ? "consistent" : "MISMATCH"}`);
  });

  // The same load spread over 8 customers (no single row lock to queue on): what the debit
  // path itself costs, next to the worst case above.
  const spread = Array.from({ length: 8 }, (_, i) => `bench-spread-${i}`);
  for (const c of spread) {
    if (!(await post("/api/v1/customers", { external_id: c })).ok) throw new Error("could not create a bench customer");
    if (!(await post(`/api/v1/customers/${c}/grants`, { amount: 100_000_000, reason: "bench" })).ok) throw new Error("could not grant credits");
  }
  let turn = 0;
  const spreadRun = await load({
    url: `${base}/api/v1/customers/${spread[0]}/debits`,
    method: "POST",
    headers: auth,
    body: JSON.stringify({ amount: 1, description: "bench" }),
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/customers/${spread[turn++ % spread.length]}/debits`,
          headers: { ...req.headers, "idempotency-key": randomBytes(12).toString("hex") },
        }),
      },
    ],
  });
  console.log(`   the same debits spread over 8 customers       ${fmt(spreadRun)}  (×${(spreadRun.rps / bare2.rps).toFixed(2)} of bare)`);
}

async function benchExtras(url: string, admin: string) {
  const extras = readdirSync("scripts").filter((f) => /^bench-.+\.ts$/.test(f));
  for (const file of extras) {
    const mod = (await import(`./${file}`)) as { bench?: (ctx: { databaseUrl: string; adminUrl: string }) => Promise<void> };
    if (typeof mod.bench === "function") {
      console.log(`\n${file}`);
      await mod.bench({ databaseUrl: url, adminUrl: admin });
    }
  }
}

main()
  .catch((err) => {
    console.error(`bench: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    server?.kill("SIGTERM");
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
    cluster?.stop();
    process.exit();
  });
