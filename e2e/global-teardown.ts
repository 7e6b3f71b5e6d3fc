// After the whole e2e run: the reconciliation report over everything the suite did, against
// the e2e database and the web server's own chain simulator (still running: Playwright stops
// its web servers after this). Every sat the specs paid to a handed-out address, every credit
// and every balance must be accounted for — zero differences — or the run fails, with the
// report. Specs that plant a difference on purpose undo it (e2e/reconciliation.spec.ts).
// A payment a spec made in its last seconds may still be on its way into the database (the
// in-process driver sweeps every 2 s), so a report with differences is asked again a few times.
import { spawnSync } from "node:child_process";
import path from "node:path";

function report(): { status: number | null; output: string } {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, ["--conditions=react-server", "scripts/reconcile-report.ts", "--all"], {
    encoding: "utf8",
    timeout: 120_000,
    env: {
      ...process.env,
      NODE_ENV: "production",
      BTC_NETWORK: "regtest",
      ESPLORA_API_URL: process.env.E2E_CHAIN_URL,
      RATE_SOURCE: "fixed",
      BTC_FIXED_RATE: "100000",
      ADMIN_EMAILS: "",
      LOG_LEVEL: "warn",
    },
  });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export default async function globalTeardown(): Promise<void> {
  if (process.env.E2E_SKIP_RECONCILIATION === "1") return;
  let last = report();
  for (let attempt = 1; last.status === 1 && attempt < 4; attempt++) {
    await new Promise((r) => setTimeout(r, 5_000));
    last = report();
  }
  if (last.status !== 0) throw new Error(`The reconciliation report after the e2e suite is not clean (exit ${last.status}):\n${last.output}`);
  console.log(
    last.output
      .split("\n")
      .filter((l) => /^(Ledger|Chain|No differences)/.test(l))
      .join("\n"),
  );
}
