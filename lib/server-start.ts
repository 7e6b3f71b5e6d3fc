import "server-only";
import { scheduledReconciliation } from "@/lib/admin/reconciliation-schedule";
import { PROBE_TIMEOUT_MS, probeRail, withTimeout } from "@/lib/availability";
import { databaseReady } from "@/lib/db/client";
import { ConfigError, env, inngestConfigured } from "@/lib/env";
import { installHostEvents } from "@/lib/host/checkout-events";
import { startDriver } from "@/lib/lifecycle/driver";
import { log } from "@/lib/log";
import { chainBackendLabel, chainClient } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { RAILS } from "@/lib/rails/registry";
import { seed } from "@/lib/seed";

function fail(message: string): never {
  console.error(`\nSatchel cannot start.\n${message}\n`);
  process.exit(1);
}

/** What stops this configuration from serving buyers, naming the variable to fix; null when nothing. */
export async function startupProblem(): Promise<string | null> {
  try {
    env();
    bitcoinSettings();
    // Each provider rail validates its own settings when asked whether it is enabled.
    for (const rail of RAILS) rail.enabled();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  const btc = bitcoinSettings(); // valid: checked above
  if (!btc.enabled) return null;
  // A testnet configuration against a mainnet backend would hand out addresses the backend
  // never reports: refuse to start, naming both networks. Only a backend that answers can say;
  // one that is down is no configuration problem but an outage: the rail is unavailable until
  // it answers (probeRails below, lib/availability.ts); the start waits at most PROBE_TIMEOUT_MS.
  let served: Awaited<ReturnType<Awaited<ReturnType<typeof chainClient>>["network"]>>;
  try {
    served = await withTimeout((async () => (await chainClient()).network())(), PROBE_TIMEOUT_MS, "the chain backend");
  } catch {
    return null;
  }
  if (served.network !== btc.network) {
    const variable = btc.chainBackend === "esplora" ? "ESPLORA_API_URL" : "ELECTRUM_RPC_URL";
    const what = served.network ? `serves ${served.network}` : `serves an unknown network (${served.evidence})`;
    return `Invalid configuration:\n  BTC_NETWORK is ${btc.network}, but the chain backend (${variable}: ${chainBackendLabel(btc)}) ${what}.\n  Point it at a ${btc.network} backend or set BTC_NETWORK=${served.network ?? "<its network>"}.`;
  }
  return null;
}

/**
 * Asks each rail's backend once, without holding up the start: a backend that refuses or hangs
 * makes its rail unavailable (lib/availability.ts) and the rest of the app serves on. The log
 * names the setting to check, since at start a dead backend is most often a wrong URL.
 */
function probeRails(): void {
  for (const rail of RAILS.filter((r) => r.enabled() && r.probe)) {
    void probeRail(rail).then((a) => {
      if (rail.id !== "btc") return a.up ? log.info({ rail: rail.id }, "rail ready") : log.warn({ rail: rail.id, reason: a.reason }, "rail unavailable");
      const btc = bitcoinSettings();
      const backend = chainBackendLabel(btc);
      if (a.up) log.info({ network: btc.network, backend }, "bitcoin rail ready");
      else
        log.warn(
          { backend, reason: a.reason, check: btc.chainBackend === "esplora" ? "ESPLORA_API_URL" : "ELECTRUM_RPC_URL / ELECTRUM_RPC_USER / ELECTRUM_RPC_PASS" },
          "bitcoin rail unavailable until its chain backend answers (checked again on use)",
        );
    });
  }
}

/**
 * Opens the configured wallet in the Electrum daemon (load_wallet, with ELECTRUM_WALLET and
 * ELECTRUM_WALLET_PASSWORD): a daemon restarted since has no wallet loaded and would refuse
 * every address. Without holding up the start; a failure is logged with the setting to check.
 */
export async function loadElectrumWallet(): Promise<"loaded" | "none" | "failed"> {
  const btc = bitcoinSettings();
  const client = btc.enabled ? (btc.electrum ?? btc.chainElectrum) : null;
  if (!client) return "none";
  const wallet = env().ELECTRUM_WALLET ?? "(the daemon's default wallet)";
  try {
    await withTimeout(client.loadWallet(), PROBE_TIMEOUT_MS, "the Electrum daemon");
    log.info({ wallet }, "electrum: wallet loaded");
    return "loaded";
  } catch (err) {
    log.warn({ wallet, err: (err as Error).message, check: "ELECTRUM_WALLET / ELECTRUM_WALLET_PASSWORD" }, "electrum: load_wallet failed");
    return "failed";
  }
}

/** Validates the configuration and starts background work; says which engine runs it. */
export async function startServer(): Promise<"inngest" | "local" | "misconfigured"> {
  const problem = await startupProblem();
  if (problem && process.env.VERCEL) {
    // On Vercel an exit only turns this request into a 500 and the next cold start repeats it:
    // keep running, and let proxy.ts answer every request 503 with the variables to fix.
    console.error(`\nSatchel is not configured; every request answers 503 until this is fixed.\n${problem}\n`);
    return "misconfigured";
  }
  if (problem) fail(problem);
  probeRails();
  void loadElectrumWallet();
  // Host applications hear about their customers' checkouts from the same event path.
  installHostEvents();
  const e = env();
  if (!e.embedded) {
    log.info("database: PostgreSQL (DATABASE_URL); run `npm run db:migrate` after each upgrade");
    return startBackgroundWork();
  }
  await databaseReady();
  const mode = startBackgroundWork();
  const { demoLogins } = await seed();
  const lines = demoLogins.map((l) => `  ${l.role.padEnd(5)}  ${l.email}  /  ${l.password}`);
  console.log(
    [
      "",
      `Satchel is running on the embedded database (${e.SATCHEL_DATA_DIR}/pglite) at ${e.APP_URL}`,
      "Demo logins (local only; stored in the data folder):",
      ...lines,
      "",
    ].join("\n"),
  );
  return mode;
}

/** Without Inngest, the in-process driver does the background work (crediting, expiry…). */
function startBackgroundWork(): "inngest" | "local" {
  if (inngestConfigured()) {
    log.info("background work: Inngest (serve path /api/inngest); the in-process driver stays off");
    return "inngest";
  }
  // The scheduled reconciliation report: asked every minute whether a run is due (RECONCILIATION_INTERVAL_HOURS).
  startDriver({ jobs: [{ name: "reconciliation report", everyMs: 60_000, run: () => scheduledReconciliation() }] });
  return "local";
}
