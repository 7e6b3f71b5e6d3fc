import "server-only";
import { resetAvailabilityForTests } from "@/lib/availability";
import { env } from "@/lib/env";
import { processState } from "@/lib/singleton";
import { type AddressOutput, type AddressUtxo, type ChainBackend, EsploraChain, type TxStatus } from "./backend";
import { type BitcoinSettings, bitcoinSettings } from "./config";
import { ElectrumChain } from "./electrum-chain";
import { ElectrumServerChain } from "./electrum-server";
import { type BroadcastResult, EsploraClient, type FeeEstimates } from "./esplora";
import type { Simulator } from "./sandbox/server";
import { simulatorServer } from "./sandbox-gate";

// The chain backend the app uses (BTC_CHAIN_BACKEND): an Esplora client pointed at
// ESPLORA_API_URL or at the built-in regtest simulator, which this module starts in-process
// on first use; or the Electrum daemon at ELECTRUM_RPC_URL. Callers see only ChainBackend.

export type { AddressOutput, AddressUtxo, BroadcastResult, ChainBackend, FeeEstimates, TxStatus };

const g = processState<{ __satchelSimulator?: Promise<Simulator>; __satchelChain?: Promise<ChainBackend> }>("rails/bitcoin/client");

/** The running simulator, if this process serves the chain itself. */
export function simulator(): Promise<Simulator> | null {
  if (!bitcoinSettings().simulated) return null;
  const server = simulatorServer();
  if (!server) return null;
  g.__satchelSimulator ??= server.then((s) => s.startSimulator({ port: env().CHAIN_PORT }));
  return g.__satchelSimulator;
}

async function simulatorUrl(): Promise<string> {
  const sim = simulator();
  if (!sim) throw new Error("no chain simulator in this build or configuration: set ESPLORA_API_URL");
  return (await sim).url;
}

export function chainClient(): Promise<ChainBackend> {
  g.__satchelChain ??= (async () => {
    const settings = bitcoinSettings();
    if (settings.chainBackend === "electrum") return new ElectrumChain(settings.chainElectrum!, settings.network);
    if (settings.chainBackend === "electrum-server") return new ElectrumServerChain({ url: settings.electrumServerUrl!, network: settings.network });
    const url = settings.esploraUrl ?? (await simulatorUrl());
    return new EsploraChain(new EsploraClient({ baseUrl: url, retries: 3, timeoutMs: 8_000 }));
  })();
  return g.__satchelChain;
}

/** Where the chain data comes from, for admins and logs (never a credential). */
export function chainBackendLabel(settings: BitcoinSettings = bitcoinSettings()): string {
  if (settings.chainBackend === "electrum") return `Electrum daemon at ${new URL(env().ELECTRUM_RPC_URL!).host}`;
  if (settings.chainBackend === "electrum-server") return `Electrum server at ${new URL(settings.electrumServerUrl!).host}`;
  return settings.esploraUrl ? new URL(settings.esploraUrl).host : "built-in regtest simulator";
}

/** Forgets the client (and stops the simulator) so tests can change the settings. */
export async function resetChainForTests(): Promise<void> {
  const sim = g.__satchelSimulator;
  g.__satchelSimulator = undefined;
  g.__satchelChain = undefined;
  resetAvailabilityForTests();
  await (await sim)?.close();
}
