// Webhook deliveries to a host per second (called by scripts/bench.ts, or on its own:
// `tsx --conditions=react-server scripts/bench-webhooks.ts` with DATABASE_URL pointing at a
// server it may create databases on). A local receiver answers 204; N events fan out to one
// endpoint and the delivery sweep (lib/host/webhooks.ts: claim, sign, POST, log the attempt)
// drains them. Baseline from the same run: bare POSTs of the same bodies to the same receiver
// at the same concurrency (what the network part alone costs). Not a test: it prints numbers.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createDatabase, dropDatabase, migrateUrl } from "../test/db";

const N = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const CONCURRENCY = 8;

const rate = (n: number, ms: number) => ((n / ms) * 1000).toFixed(0);

export async function bench({ adminUrl }: { databaseUrl?: string; adminUrl: string }): Promise<void> {
  const name = `satchel_bench_webhooks_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(adminUrl, name);
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(Number(process.env.BENCH_WEBHOOK_PORT ?? 0), "127.0.0.1", r));
  const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    await migrateUrl(url);
    Object.assign(process.env, {
      DATABASE_URL: url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "silent",
      ADMIN_EMAILS: "",
      ALLOW_LOCAL_URLS: "1",
    });
    const { resetEnvForTests } = await import("../lib/env");
    resetEnvForTests();
    const { db, closeDatabase } = await import("../lib/db/client");
    const { recordHostEvent } = await import("../lib/host/events");
    const { createEndpoint, deliverDueWebhooks } = await import("../lib/host/webhooks");

    await createEndpoint({ url: target, enabledEvents: ["*"] });
    const t0 = performance.now();
    for (let i = 0; i < N; i++)
      await recordHostEvent({ type: "credits.debited", sourceKey: `bench:${i}`, customerId: "bench", data: { amount: 1, i, note: "x".repeat(200) } });
    const recordMs = performance.now() - t0;
    const body = JSON.stringify({ id: "evt_bench", object: "event", type: "credits.debited", data: { object: { amount: 1, note: "x".repeat(200) } } });

    // Baseline: the same number of bare POSTs, CONCURRENCY at a time.
    let next = 0;
    const b0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < N) await (await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })).arrayBuffer();
      }),
    );
    const bareMs = performance.now() - b0;

    received = 0;
    const d0 = performance.now();
    let sweeps = 0;
    for (;;) {
      const r = await deliverDueWebhooks({ limit: 200, concurrency: CONCURRENCY });
      sweeps++;
      if (r.attempted === 0) break;
    }
    const deliverMs = performance.now() - d0;
    const attempts = await db.webhookAttempt.count();
    console.log(`   ${N} events recorded with their deliveries (one endpoint): ${rate(N, recordMs)} events/s`);
    console.log(`   baseline bare POST to a local receiver (${CONCURRENCY} at a time): ${rate(N, bareMs)} req/s`);
    console.log(
      `   webhook deliveries (claim, sign, POST, log) ${CONCURRENCY} at a time: ${rate(received, deliverMs)} deliveries/s  (${received} received, ${attempts} attempts logged, ${sweeps} sweeps; ×${(bareMs / deliverMs).toFixed(2)} of bare)`,
    );
    await closeDatabase();
  } finally {
    receiver.close();
    await dropDatabase(adminUrl, name).catch(() => {});
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const admin = process.env.DATABASE_URL;
  if (!admin) throw new Error("set DATABASE_URL to a PostgreSQL server this may create databases on");
  await bench({ adminUrl: admin });
  process.exit(0);
}
