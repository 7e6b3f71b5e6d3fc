import { type ChildProcess, spawn } from "node:child_process";
import type { APIRequestContext } from "@playwright/test";
import { slowProxy } from "../test/slow-proxy";
import { createBuyer, expect, outboxEmails, signInContext, sql, startCheckout, test } from "./fixtures";

// Scale-out without Inngest, for real: two `next start` processes (the production build) on the
// e2e database, each with the in-process driver sweeping every second, both serving buyers while
// both sweep. Buyers start Bitcoin checkouts through both servers' pages; the payments and blocks
// land on the one regtest chain all servers read (the web server's simulator, E2E_CHAIN_URL,
// reached through a proxy that answers 100 ms late so sweeps last long enough to overlap if
// nothing stopped them). Every checkout is credited exactly once (one ledger entry, one receipt,
// balance = Σ ledger), and the sweeps the two processes logged ("reconcile: sweep held the
// lock", lib/lifecycle/reconcile.ts) never overlap, while both of them swept.

const e2ePort = Number(process.env.E2E_PORT ?? process.env.PLAYWRIGHT_PORT ?? 3210);
// Clear of the web server (port), the Open Payments sandbox (+3), the host app (+10), the chain (+22).
const ports = [e2ePort + 20, e2ePort + 21];
const proxyPort = e2ePort + 23;
const chainUrl = process.env.E2E_CHAIN_URL!;
const SWEEP_LINE = "reconcile: sweep held the lock";

interface Instance {
  port: number;
  url: string;
  child: ChildProcess;
  out: string[];
}

let proxy: Awaited<ReturnType<typeof slowProxy>> | undefined;
const instances: Instance[] = [];

function startInstance(port: number): Instance {
  const url = `http://localhost:${port}`;
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: process.env.DATABASE_URL,
      AUTH_SECRET: process.env.AUTH_SECRET,
      AUTH_TRUST_HOST: "true",
      APP_URL: url,
      SATCHEL_DATA_DIR: process.env.SATCHEL_DATA_DIR,
      ADMIN_EMAILS: "",
      BTC_NETWORK: "regtest",
      ESPLORA_API_URL: `http://127.0.0.1:${proxyPort}`,
      RATE_SOURCE: "fixed",
      BTC_FIXED_RATE: "100000",
      RECONCILE_INTERVAL_SECONDS: "1",
      // No provider sandboxes here: the web server runs them on its own ports.
      SANDBOX_RAILS: "",
      ALLOW_LOCAL_URLS: "1",
      INNGEST_DEV: "",
      INNGEST_SIGNING_KEY: "",
      INNGEST_EVENT_KEY: "",
      LOG_LEVEL: "debug",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const keep = (chunk: Buffer) => out.push(...chunk.toString("utf8").split("\n"));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return { port, url, child, out };
}

async function healthy(i: Instance): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (i.child.exitCode !== null) throw new Error(`next start on ${i.port} exited ${i.child.exitCode}:\n${i.out.slice(-40).join("\n")}`);
    try {
      if ((await fetch(`${i.url}/api/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`next start on ${i.port} did not answer /api/health:\n${i.out.slice(-40).join("\n")}`);
}

/** The sweeps one process logged: [start, end] in ms. */
function sweeps(i: Instance): { startedAt: number; endedAt: number; credited: number }[] {
  return i.out
    .filter((l) => l.includes(SWEEP_LINE))
    .map((l) => JSON.parse(l) as { msg: string; startedAt: number; endedAt: number; credited: number })
    .filter((l) => l.msg === SWEEP_LINE);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

test.beforeAll(async () => {
  test.setTimeout(150_000);
  proxy = await slowProxy(chainUrl, 100, proxyPort);
  for (const port of ports) instances.push(startInstance(port));
  await Promise.all(instances.map(healthy));
});

test.afterAll(async () => {
  await Promise.all(instances.map((i) => stop(i.child)));
  await proxy?.close();
});

async function sim(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${chainUrl}/_sim/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
}

test("two next start processes on one database: both serve and sweep, every checkout credited once, no two sweeps overlap", async ({ browser }) => {
  test.setTimeout(150_000);
  const [a, b] = instances as [Instance, Instance];
  // Both processes came up with the in-process driver (no Inngest).
  for (const i of instances) expect(i.out.join("\n"), `server on ${i.port}`).toContain("in-process driver");

  // Six buyers, three through each server, each starting a Medium checkout on its pages.
  const bought: { id: string; buyer: Awaited<ReturnType<typeof createBuyer>>; via: Instance; other: Instance; request: APIRequestContext }[] = [];
  for (let n = 0; n < 6; n++) {
    const [via, other] = n % 2 ? [b, a] : [a, b];
    const buyer = await createBuyer();
    const context = await browser.newContext({ baseURL: via.url });
    await signInContext(context, buyer.email, buyer.password);
    const page = await context.newPage();
    const id = await startCheckout(page, "medium");
    // The buyer leaves: no page polls the checkout, so a background sweep is what credits it.
    await page.close();
    bought.push({ id, buyer, via, other, request: context.request });
  }

  // Each is paid exactly on the shared chain, then three blocks confirm them all.
  for (const { id } of bought) {
    const [row] = await sql<{ address: string; expectedAmount: string }>(
      `SELECT address, "expectedAmount"::text AS "expectedAmount" FROM "Checkout" WHERE id = $1`,
      [id],
    );
    expect(row?.address, `address of ${id}`).toMatch(/^bcrt1/);
    await sim("pay", { address: row!.address, sats: row!.expectedAmount });
  }
  await sim("mine", { blocks: 3 });

  // The sweeps credit them.
  for (const { id, buyer } of bought) {
    await expect(async () => {
      const [row] = await sql<{ status: string }>(`SELECT status::text FROM "Checkout" WHERE id = $1`, [id]);
      expect(row?.status, `checkout ${id} of ${buyer.email}`).toBe("credited");
    }).toPass({ timeout: 60_000 });
  }
  for (const { id, buyer, other, request } of bought) {
    // The buyer's session works on both servers (one AUTH_SECRET): ask the one that did not sell.
    const view = await request.get(`${other.url}/api/checkouts/${id}`);
    expect(view.status()).toBe(200);
    expect(((await view.json()) as { status: string }).status).toBe("credited");
    const entries = await sql<{ amount: number }>(`SELECT amount FROM "LedgerEntry" WHERE "userId" = $1`, [buyer.id]);
    expect(entries, `ledger of checkout ${id}`).toHaveLength(1);
    const [user] = await sql<{ balance: number }>(`SELECT balance FROM "User" WHERE id = $1`, [buyer.id]);
    expect(user?.balance).toBe(entries.reduce((s, e) => s + e.amount, 0));
    expect(user?.balance).toBe(500);
    const receipts = (await outboxEmails(buyer.email)).filter((m) => m.dedupKey.startsWith("receipt:"));
    expect(receipts.map((m) => m.dedupKey)).toEqual([`receipt:${id}`]);
  }

  // A few more ticks, then the logs: both processes swept (the lock passed between them), and no
  // sweep of one overlapped a sweep of the other (the lock is held until the sweep's commit, after
  // its logged end, so the next one's start is never before it).
  await new Promise((r) => setTimeout(r, 3_000));
  const [sa, sb] = [sweeps(a), sweeps(b)];
  expect(sa.length, `sweeps of ${a.port}`).toBeGreaterThanOrEqual(1);
  expect(sb.length, `sweeps of ${b.port}`).toBeGreaterThanOrEqual(1);
  for (const x of sa)
    for (const y of sb)
      expect(x.endedAt <= y.startedAt || y.endedAt <= x.startedAt, `sweeps ${JSON.stringify(x)} and ${JSON.stringify(y)} overlapped`).toBe(true);
  // The lock passed both ways: one process swept after the other had, and the other way round.
  expect(
    sa.some((x) => sb.some((y) => y.endedAt <= x.startedAt)),
    "a sweep of the first after one of the second",
  ).toBe(true);
  expect(
    sb.some((y) => sa.some((x) => x.endedAt <= y.startedAt)),
    "a sweep of the second after one of the first",
  ).toBe(true);
  console.log(
    `two instances: ${sa.length} sweeps on ${a.port} (credited ${sa.reduce((s, x) => s + x.credited, 0)}), ${sb.length} on ${b.port} (credited ${sb.reduce((s, x) => s + x.credited, 0)})`,
  );
});
