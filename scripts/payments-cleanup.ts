// `npm run payments:cleanup [-- --apply] [--delete-tests] [--age-days N]`: finds failed M-Pesa
// payments that have a receipt (they succeeded; confirm and credit them) and failed test
// payments without one (delete them with --delete-tests). Always prints the summary first;
// a dry run unless --apply. See lib/admin/mpesa-cleanup.ts.
// Runs under tsx with --conditions=react-server so lib/'s `import "server-only"` resolves.
// First: the .env files, before any module reads process.env.
import "./load-env";
import { ConfigError } from "@/lib/env";

const USAGE = "usage: npm run payments:cleanup -- [--apply] [--delete-tests] [--age-days N]";

function parseArgs(argv: string[]): { apply: boolean; deleteTests: boolean; ageDays?: number } {
  const out: { apply: boolean; deleteTests: boolean; ageDays?: number } = { apply: false, deleteTests: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--apply") out.apply = true;
    else if (a === "--delete-tests") out.deleteTests = true;
    else if (a === "--age-days" || a.startsWith("--age-days=")) {
      const v = a.includes("=") ? a.split("=")[1] : argv[++i];
      if (!v || !/^\d+$/.test(v)) throw new Error(`--age-days needs a whole number of days\n${USAGE}`);
      out.ageDays = Number(v);
    } else if (a === "--help" || a === "-h") throw new Error(USAGE);
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  return out;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const { closeDatabase } = await import("@/lib/db/client");
  const { applyCleanup, describePlan, planCleanup } = await import("@/lib/admin/mpesa-cleanup");
  try {
    const plan = await planCleanup(opts);
    for (const line of describePlan(plan, opts)) console.log(line);
    if (!opts.apply) return 0;
    const r = await applyCleanup(plan);
    console.log(`Done: ${r.confirmed} confirmed, ${r.credited} credited, ${r.deleted} deleted.`);
    for (const s of r.skipped) console.log(`  skipped ${s.checkoutId}: ${s.reason}`);
    return 0;
  } finally {
    await closeDatabase().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? `payments:cleanup: ${err.message}` : `payments:cleanup: ${(err as Error).message ?? err}`);
    process.exit(1);
  },
);
