import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { slowProxy } from "@/test/slow-proxy";

// Scale-out without Inngest: two server processes (test/server-process.ts: the start and the
// in-process driver `next start` runs) on one PostgreSQL database, both sweeping every second
// over the same paid checkouts. Each checkout is credited exactly once (one ledger entry, one
// receipt), the credits the sweeps report add up to the number of checkouts, and no two sweeps
// of the two processes ever ran at the same time: while one sweeps, the other's tick skips (the
// reconciler's advisory lock, lib/lifecycle/reconcile.ts). The chain answers slowly (a delaying
// proxy in front of the simulator), so sweeps last long enough to overlap if nothing stopped them.

const run = promisify(execFile);
// The end of a tick is seen by polling every 5 ms (test/server-process.ts): allow that much.
const SLACK_MS = 25;
let chain: Chain;
let slow: Awaited<ReturnType<typeof slowProxy>>;

beforeAll(async () => {
  chain = await regtest();
  // Both processes read this one chain, each answer 100 ms late.
  slow = await slowProxy((await simulator()!).url, 100);
});
afterAll(async () => {
  await slow.close();
  await (await simulator())?.close();
});

function serverProcess(seconds: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ESPLORA_API_URL: slow.url,
    BTC_NETWORK: "regtest",
    RECONCILE_INTERVAL_SECONDS: "1",
    LOG_LEVEL: "info",
    INNGEST_DEV: "",
    INNGEST_SIGNING_KEY: "",
    INNGEST_EVENT_KEY: "",
    VERCEL: "",
    NODE_ENV: "production",
  };
  return run("npx", ["tsx", "--conditions=react-server", "test/server-process.ts", String(seconds)], { env, timeout: 90_000, maxBuffer: 32 * 1024 * 1024 });
}

interface Tick {
  pid: number;
  endedAt: number;
  ms: number;
  skipped: boolean;
  credited: number;
  observed: number;
}

/** Every driver tick one process printed (test/server-process.ts). */
function ticks(stdout: string): Tick[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Tick & { msg?: string })
    .filter((l) => l.msg === "tick");
}

test("two server processes on one database: every paid checkout credited once, no sweep's work done twice", async () => {
  const checkouts = [];
  for (let i = 0; i < 6; i++) checkouts.push(await newCheckout());
  // The payments confirm before either process starts: both processes' first sweeps find all six.
  for (const { checkout } of checkouts) payAndConfirm(chain, checkout);

  const [a, b] = await Promise.all([serverProcess(8), serverProcess(8)]);
  for (const out of [a.stdout, b.stdout]) expect(out).toMatch(/"mode":"local"/);

  const ids = checkouts.map((c) => c.checkout.id);
  const rows = await db.checkout.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } });
  expect(rows.map((r) => r.status)).toEqual(ids.map(() => "credited"));
  for (const { user, checkout } of checkouts) {
    const entries = await db.ledgerEntry.findMany({ where: { userId: user.id } });
    expect(entries, `ledger of checkout ${checkout.id}`).toHaveLength(1);
    expect(entries[0]?.amount).toBe(500);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(500);
    expect(await db.outboundEmail.count({ where: { checkoutId: checkout.id } })).toBe(1);
  }
  const [ta, tb] = [ticks(a.stdout), ticks(b.stdout)];
  const all = [...ta, ...tb];
  // Both served: each process ticked several times.
  expect(ta.length, a.stdout).toBeGreaterThanOrEqual(3);
  expect(tb.length, b.stdout).toBeGreaterThanOrEqual(3);
  // The sweeps credited the six (nothing else did: no page polled them). They may credit more: other
  // test files of this Vitest worker leave paid checkouts in the same database. Exactly-once is the
  // ledger check above.
  expect(
    all.reduce((n, t) => n + t.credited, 0),
    JSON.stringify(all),
  ).toBeGreaterThanOrEqual(6);
  // No sweep of one process overlapped a sweep of the other; the other's ticks meanwhile skipped.
  const ran = (ts: Tick[]) => ts.filter((t) => !t.skipped).map((t) => [t.endedAt - t.ms, t.endedAt] as const);
  for (const [s1, e1] of ran(ta))
    for (const [s2, e2] of ran(tb)) expect(e1 <= s2 + SLACK_MS || e2 <= s1 + SLACK_MS, `sweeps [${s1}, ${e1}] and [${s2}, ${e2}] overlapped`).toBe(true);
  expect(
    all.some((t) => t.skipped),
    "a tick met the other process's sweep and skipped",
  ).toBe(true);
}, 120_000);
