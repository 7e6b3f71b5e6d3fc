import "server-only";
import { EsploraClient } from "./esplora";
import { bitcoinSettings } from "./config";
import { startSimulator, type Simulator } from "./simulator/server";
import { env } from "@/lib/env";

// The chain backend the app uses: an Esplora client pointed at ESPLORA_API_URL, or at the
// built-in regtest simulator, which this module starts in-process on first use.

export interface AddressOutput {
  txid: string;
  vout: number;
  sats: bigint;
  blockHeight: number | null;
  blockHash: string | null;
  blockTime: Date | null;
}

const g = globalThis as unknown as { __satchelSimulator?: Promise<Simulator>; __satchelEsplora?: Promise<EsploraClient> };

/** The running simulator, if this process serves the chain itself. */
export function simulator(): Promise<Simulator> | null {
  if (bitcoinSettings().esploraUrl) return null;
  g.__satchelSimulator ??= startSimulator({ port: env().CHAIN_PORT });
  return g.__satchelSimulator;
}

export function chainClient(): Promise<EsploraClient> {
  g.__satchelEsplora ??= (async () => {
    const url = bitcoinSettings().esploraUrl ?? (await simulator()!).url;
    return new EsploraClient({ baseUrl: url, retries: 3, timeoutMs: 8_000 });
  })();
  return g.__satchelEsplora;
}

/** Forgets the client (and stops the simulator) so tests can change the settings. */
export async function resetChainForTests(): Promise<void> {
  const sim = g.__satchelSimulator;
  g.__satchelSimulator = undefined;
  g.__satchelEsplora = undefined;
  await (await sim)?.close();
}

/** Every output paying `address`, mempool and confirmed. */
export async function addressOutputs(client: EsploraClient, address: string): Promise<AddressOutput[]> {
  const txs = await client.addressTxs(address);
  const outputs: AddressOutput[] = [];
  for (const tx of txs) {
    tx.vout.forEach((o, vout) => {
      if (o.scriptpubkey_address !== address) return;
      outputs.push({
        txid: tx.txid,
        vout,
        sats: o.value,
        blockHeight: tx.status.confirmed ? (tx.status.block_height ?? null) : null,
        blockHash: tx.status.confirmed ? (tx.status.block_hash ?? null) : null,
        blockTime: tx.status.confirmed && tx.status.block_time ? new Date(tx.status.block_time * 1000) : null,
      });
    });
  }
  return outputs;
}
