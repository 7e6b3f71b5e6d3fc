import "server-only";
import { databaseReady } from "@/lib/db/client";
import { ConfigError, env, inngestConfigured } from "@/lib/env";
import { startDriver } from "@/lib/lifecycle/driver";
import { log } from "@/lib/log";
import { chainBackendLabel, chainClient } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { ElectrumError } from "@/lib/rails/bitcoin/electrum-rpc";
import { ChainError } from "@/lib/rails/bitcoin/esplora";
import { RAILS } from "@/lib/rails/registry";
import { seed } from "@/lib/seed";

function fail(message: string): never {
  console.error(`\nSatchel cannot start.\n${message}\n`);
  process.exit(1);
}

/** What stops this configuration from serving buyers, naming the variable to fix; null when nothing. */
export async function startupProblem(): Promise<string | null> {
  let btc;
  try {
    env();
    btc = bitcoinSettings();
    // Each provider rail validates its own settings when asked whether it is enabled.
    for (const rail of RAILS) rail.enabled();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  if (!btc.enabled) return null;
  // An unreachable chain backend at start is almost always a wrong URL: say so now rather
  // than at the first buyer's checkout.
  try {
    const chain = await chainClient();
    const tip = await chain.tipHeight();
    // A testnet configuration against a mainnet backend would hand out addresses the backend
    // never reports: refuse to start, naming both networks.
    const served = await chain.network();
    if (served.network !== btc.network) {
      const what = served.network ? `serves ${served.network}` : `serves an unknown network (${served.evidence})`;
      return `Invalid configuration:\n  BTC_NETWORK is ${btc.network}, but the chain backend (${chainVariable(btc.chainBackend)}: ${chainBackendLabel(btc)}) ${what}.\n  Point it at a ${btc.network} backend or set BTC_NETWORK=${served.network ?? "<its network>"}.`;
    }
    log.info({ network: btc.network, backend: chainBackendLabel(btc), tip }, "bitcoin rail ready");
    return null;
  } catch (err) {
    if (err instanceof ChainError) return `Invalid configuration:\n  ${chainVariable(btc.chainBackend, err)}: ${err.message}`;
    throw err;
  }
}

/** The setting to look at when the chain backend cannot be used. */
function chainVariable(backend: "esplora" | "electrum", err?: ChainError): string {
  if (backend === "esplora") return "ESPLORA_API_URL";
  return err?.cause instanceof ElectrumError && err.cause.code === "auth" ? "ELECTRUM_RPC_USER / ELECTRUM_RPC_PASS" : "ELECTRUM_RPC_URL";
}

/** Validates the configuration and starts background work; says which engine runs it. */
export async function startServer(): Promise<"inngest" | "local"> {
  const problem = await startupProblem();
  if (problem) fail(problem);
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
  startDriver();
  return "local";
}
