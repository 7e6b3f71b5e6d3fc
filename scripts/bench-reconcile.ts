// The reconciler sweep over many open checkouts (called by scripts/bench.ts, or on its own:
// `tsx --conditions=react-server scripts/bench-reconcile.ts` with DATABASE_URL pointing at a
// server it may create databases on). Prints figures, each beside a baseline from the same run:
//   - baseline: the sweep's selection query alone (which checkouts are stale);
//   - the first sweep: every checkout observed (chain calls counted), 1% of them paid and
//     credited, receipts recorded;
//   - the next sweep right after: the adaptive policy leaves fresh observations alone.
// Not a test: nothing passes or fails.
import { randomBytes } from "node:crypto";
import { createDatabase, dropDatabase, migrateUrl } from "../test/db";

const N = Number(process.env.BENCH_RECONCILE_CHECKOUTS ?? 10_000);

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 1 });

export async function bench({ adminUrl }: { databaseUrl?: string; adminUrl: string }): Promise<void> {
  const name = `satchel_bench_reconcile_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(adminUrl, name);
  try {
    await migrateUrl(url);
    Object.assign(process.env, {
      DATABASE_URL: url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      BTC_NETWORK: "regtest",
      BTC_CHAIN_BACKEND: "esplora", // the in-process simulator
      BTC_ADDRESS_SOURCE: "xpub",
      RATE_SOURCE: "fixed",
      BTC_FIXED_RATE: "100000",
      LOG_LEVEL: "silent",
      ADMIN_EMAILS: "",
    });
    for (const k of ["ESPLORA_API_URL", "BTC_XPUB", "SMTP_URL", "OMNISEND_API_KEY", "INNGEST_DEV", "INNGEST_SIGNING_KEY"]) delete process.env[k];
    const { resetEnvForTests } = await import("../lib/env");
    resetEnvForTests();
    const { db, closeDatabase } = await import("../lib/db/client");
    const { bitcoinSettings } = await import("../lib/rails/bitcoin/config");
    const { chainClient, simulator, resetChainForTests } = await import("@/lib/rails/bitcoin/client");
    const { reconcile } = await import("../lib/lifecycle/reconcile");
    const wallet = bitcoinSettings().wallet!;
    const chain = (await simulator()!).chain;

    // N open checkouts, created a minute ago and never observed since; 1% of them paid.
    const t0 = performance.now();
    const user = await db.user.create({ data: { email: `bench-${randomBytes(3).toString("hex")}@example.com` } });
    const pkg = await db.creditPackage.create({
      data: { slug: `bench-${randomBytes(3).toString("hex")}`, name: "Medium", credits: 500, priceMinor: 2000, currency: "USD" },
    });
    const created = new Date(Date.now() - 60_000);
    const rows = Array.from({ length: N }, (_, i) => ({
      userId: user.id,
      packageId: pkg.id,
      packageName: "Medium",
      credits: 500,
      priceMinor: 2000,
      currency: "USD",
      rail: "btc" as const,
      expectedAmount: 20_000n,
      amountUnit: "sat",
      address: wallet.receiveAddress(i),
      derivationIndex: i,
      confirmationsRequired: 3,
      createdAt: created,
      expiresAt: new Date(created.getTime() + 3_600_000),
      monitorUntil: new Date(created.getTime() + 25 * 3_600_000),
      lastObservedAt: created,
    }));
    for (let i = 0; i < rows.length; i += 1_000) await db.checkout.createMany({ data: rows.slice(i, i + 1_000) });
    const paid = rows.filter((_, i) => i % 100 === 0);
    for (const r of paid) chain.pay([{ address: r.address, sats: r.expectedAmount }]);
    chain.mine(3);
    console.log(`  setup: ${fmt(N)} open checkouts (${fmt(paid.length)} paid on chain) in ${fmt(ms(t0) / 1000)} s`);

    // Baseline: only the selection (what a sweep costs before it does anything).
    const now = new Date();
    const tb = performance.now();
    const stale = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Checkout"
      WHERE ("status" IN ('pending', 'confirming') OR ("status" = 'expired' AND "monitorUntil" > ${now}))
        AND ("lastObservedAt" IS NULL OR "lastObservedAt" <= ${now}::timestamp - interval '5 seconds')`;
    const baselineMs = ms(tb);

    const client = await chainClient();
    const before = client.stats.requests;
    const first = await reconcile({ now, concurrency: 8, limit: N });
    const firstCalls = client.stats.requests - before;
    const second = await reconcile({ now: new Date(now.getTime() + 1_000), concurrency: 8, limit: N });
    const perCheckout = first.observed ? firstCalls / first.observed : 0;

    console.log(`  baseline (selection query only):   ${fmt(baselineMs)} ms for ${fmt(Number(stale[0]!.n))} stale checkouts`);
    console.log(
      `  first sweep:                       ${fmt(first.ms)} ms (${fmt(first.ms / Math.max(1, first.observed))} ms per checkout, ${fmt(first.ms / Math.max(1, baselineMs))}× the baseline)`,
    );
    console.log(`    observed ${fmt(first.observed)}, credited ${fmt(first.credited)}, notified ${fmt(first.notified)}, errors ${fmt(first.errors)}`);
    console.log(
      `    chain calls: ${fmt(firstCalls)} (${fmt(perCheckout)} per checkout; one shared tip height per sweep instead of one per checkout saves ${fmt(first.observed - 1)} calls, ${fmt(((first.observed - 1) / Math.max(1, first.observed + firstCalls - 1)) * 100)}%)`,
    );
    console.log(
      `  next sweep 1 s later:              ${fmt(second.ms)} ms, observed ${fmt(second.observed)}, chain calls ${fmt(second.chainCalls)} (adaptive policy: fresh observations are left alone)`,
    );

    await resetChainForTests();
    await closeDatabase();
  } finally {
    await dropDatabase(adminUrl, name).catch(() => {});
  }
}

// Run on its own: node --import tsx scripts/bench-reconcile.ts (needs a server in SATCHEL_BENCH_ADMIN_URL or DATABASE_URL).
if (import.meta.url === `file://${process.argv[1]}`) {
  const admin = process.env.SATCHEL_BENCH_ADMIN_URL ?? process.env.DATABASE_URL;
  const run = async () => {
    if (admin) return bench({ adminUrl: admin });
    const { startCluster } = await import("./pg-cluster");
    const cluster = await startCluster();
    try {
      await bench({ adminUrl: cluster.url });
    } finally {
      cluster.stop();
    }
  };
  run().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
