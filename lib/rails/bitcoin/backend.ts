import type { BroadcastResult, EsploraClient, FeeEstimates } from "./esplora";
import { type BtcNetwork, networkOfGenesis } from "./networks";

// What the app reads from, and sends to, the Bitcoin network: one interface, two backends
// (Esplora here, Electrum in electrum-chain.ts). Types only plus the Esplora adapter, so the
// backends and the process's client (client.ts) never import each other in a circle.

export type { BroadcastResult, FeeEstimates };

export interface AddressOutput {
  txid: string;
  vout: number;
  sats: bigint;
  /** Null while unconfirmed. */
  blockHeight: number | null;
  /** Null while unconfirmed, and always with Electrum (it reports heights only). */
  blockHash: string | null;
  blockTime: Date | null;
}

export interface AddressUtxo {
  txid: string;
  vout: number;
  value: bigint;
  /** Null while unconfirmed. */
  blockHeight: number | null;
}

export interface TxStatus {
  confirmed: boolean;
  blockHeight: number | null;
}

/** What the app reads from, and sends to, the Bitcoin network. */
export interface ChainBackend {
  readonly name: "esplora" | "electrum" | "electrum-server";
  /** Requests made to the backend, retries included (the bench and the polling policy count them). */
  readonly stats: { requests: number };
  tipHeight(): Promise<number>;
  /**
   * The hash of the block at `height` on the backend's best chain (Esplora /block-height/:h).
   * Absent on Electrum, which reports heights only: there the tip's ancestry is not watched.
   */
  blockHash?(height: number): Promise<string>;
  /**
   * Which network the backend serves: Esplora's genesis block hash, Electrum's getinfo
   * network. `network` is null when the answer names no network Satchel knows.
   */
  network(): Promise<{ network: BtcNetwork | null; evidence: string }>;
  /** Every output paying `address`, mempool and confirmed. */
  addressOutputs(address: string): Promise<AddressOutput[]>;
  /** Unspent outputs of `address` (hot-wallet sweeps). */
  addressUtxos(address: string): Promise<AddressUtxo[]>;
  /** Confirmation target in blocks → sat/vB. */
  feeEstimates(): Promise<FeeEstimates>;
  /** "Already in the mempool / in a block" comes back as already_known, so re-broadcasting is idempotent. */
  broadcast(rawHex: string): Promise<BroadcastResult>;
  /** Null when the backend does not know the transaction (never seen, dropped, replaced). */
  txStatus(txid: string): Promise<TxStatus | null>;
}

/** The Esplora backend: EsploraClient, unchanged, behind the interface. */
export class EsploraChain implements ChainBackend {
  readonly name = "esplora";
  constructor(readonly client: EsploraClient) {}

  get stats() {
    return this.client.stats;
  }

  tipHeight(): Promise<number> {
    return this.client.tipHeight();
  }

  blockHash(height: number): Promise<string> {
    return this.client.blockHash(height);
  }

  async network(): Promise<{ network: BtcNetwork | null; evidence: string }> {
    const genesis = await this.client.blockHash(0);
    return { network: networkOfGenesis(genesis), evidence: `genesis block ${genesis}` };
  }

  async addressOutputs(address: string): Promise<AddressOutput[]> {
    const txs = await this.client.addressTxs(address);
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

  async addressUtxos(address: string): Promise<AddressUtxo[]> {
    const utxos = await this.client.addressUtxos(address);
    return utxos.map((u) => ({ txid: u.txid, vout: u.vout, value: u.value, blockHeight: u.status.confirmed ? (u.status.block_height ?? null) : null }));
  }

  feeEstimates(): Promise<FeeEstimates> {
    return this.client.feeEstimates();
  }

  broadcast(rawHex: string): Promise<BroadcastResult> {
    return this.client.broadcast(rawHex);
  }

  async txStatus(txid: string): Promise<TxStatus | null> {
    // GET /tx/:txid (404 ⇒ unknown), not /tx/:txid/status, which says "unconfirmed" for unknown txids.
    const tx = await this.client.tx(txid);
    if (!tx) return null;
    return { confirmed: tx.status.confirmed, blockHeight: tx.status.confirmed ? (tx.status.block_height ?? null) : null };
  }
}
