// `npm run reconcile:report [-- --from YYYY-MM-DD] [--to YYYY-MM-DD] [--all] [--rail btc] [--user <id>] [--csv]`:
// prints the reconciliation report (lib/admin/reconciliation.ts) — per rail, received (the
// chain, the providers' confirmations) against credited, forwarded, refunded, open exceptions,
// and the ledger proof — then every difference with its link. The period defaults to the last
// RECONCILIATION_DAYS; --all covers everything since the first checkout.
// Exit code: 0 no differences, 1 differences (listed), 2 no differences but some addresses
// were not checked on the chain (budget, backend down), 3 the report could not run (bad
// arguments, configuration, database).
// Runs under tsx with --conditions=react-server so lib/'s `import "server-only"` resolves.
// First: the .env files, before any module reads process.env.
import "./load-env";
import { ConfigError } from "@/lib/env";
import { isAppError } from "@/lib/errors";

const USAGE = "usage: npm run reconcile:report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--all] [--rail btc|mpesa|neobank|interledger] [--user ID] [--csv]";

class UsageError extends Error {}

function parseArgs(argv: string[]): { query: Record<string, string>; all: boolean; csv: boolean } {
  const out = { query: {} as Record<string, string>, all: false, csv: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (name === "--all") out.all = true;
    else if (name === "--csv") out.csv = true;
    else if (name === "--from" || name === "--to" || name === "--rail" || name === "--user") {
      const v = inline ?? argv[++i];
      if (!v) throw new UsageError(`${name} needs a value\n${USAGE}`);
      out.query[name.slice(2)] = v;
    } else if (name === "--help" || name === "-h") throw new UsageError(USAGE);
    else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  return out;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const { closeDatabase } = await import("@/lib/db/client");
  const { parseReconciliationQuery, periodOf, reconciliationReport, reportLines, reportRecords } = await import("@/lib/admin/reconciliation");
  try {
    const q = parseReconciliationQuery(opts.query);
    const period = opts.all && !q.from ? { from: new Date(0), to: periodOf(q).to } : periodOf(q);
    const report = await reconciliationReport({ ...period, rail: q.rail, userId: q.user });
    if (opts.csv) {
      const { stringify } = await import("csv-stringify/sync");
      process.stdout.write(stringify(reportRecords(report)));
    } else for (const line of reportLines(report)) console.log(line);
    if (report.differences.length) return 1;
    return report.unchecked.addresses ? 2 : 0;
  } finally {
    await closeDatabase().catch(() => {});
    // The built-in chain simulator (regtest without ESPLORA_API_URL) would keep the process alive.
    const { resetChainForTests } = await import("@/lib/rails/bitcoin/client");
    await resetChainForTests().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message =
      err instanceof ConfigError || err instanceof UsageError
        ? err.message
        : isAppError(err)
          ? `${err.message} ${JSON.stringify(err.details ?? {})}`
          : ((err as Error).stack ?? String(err));
    console.error(`reconcile:report: ${message}`);
    process.exit(3);
  },
);
