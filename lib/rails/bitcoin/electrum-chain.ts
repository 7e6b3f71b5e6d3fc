import { hex } from "@scure/base";
import { Address, Transaction } from "@scure/btc-signer";
import { z } from "zod";
import { metrics } from "@/lib/metrics";
import type { AddressOutput, AddressUtxo, BroadcastResult, ChainBackend, FeeEstimates, TxStatus } from "./backend";
import { type ElectrumClient, ElectrumError } from "./electrum-rpc";
import { ALREADY_KNOWN, ChainError, type ChainErrorKind, txidOf } from "./esplora";
import { type BtcNetwork, isBtcNetwork, networkParams } from "./networks";

// The chain backend over an Electrum daemon's JSON-RPC (BTC_CHAIN_BACKEND=electrum). Electrum
// 4.3 commands (electrum/commands.py), as the daemon answers them:
//   tipHeight       getinfo → blockchain_height (its proof-of-work-checked header chain).
//                   Refused while getinfo says connected: false (the height would be stale).
//   addressOutputs  getaddresshistory → [{tx_hash, height, fee?}]: height > 0 confirmed in that
//                   block, 0 in the mempool, -1 in the mempool with an unconfirmed parent; then
//                   gettransaction(txid) → raw hex, decoded here, keeping the outputs paying the
//                   address. Electrum reports no block hash or time: both are null (the state
//                   machine works on heights; seenAt falls back to first seen).
//   addressUtxos    getaddressunspent → [{tx_hash, tx_pos, height, value}] (sats; height 0 in
//                   the mempool). Not listunspent: that lists the loaded wallet's coins only.
//   feeEstimates    getfeerate(fee_method "eta", fee_level) → sat/kvB, or null before the
//                   server sent estimates. Electrum's slider positions 0, .25, .5, .75 and 1
//                   are the 25-, 10-, 5- and 2-block targets and "next block" (1.5 × the
//                   2-block rate), so this returns {"25", "10", "5", "2", "1"} in sat/vB.
//                   On regtest Electrum always answers 180000 (180 sat/vB).
//   broadcast       broadcast(tx) → txid. Electrum passes on the server's refusal as one
//                   known phrase ("txn-already-in-mempool", "txn-already-known", "transaction
//                   already in block chain", …): those mean already_known; so does any other
//                   refusal ("Unknown error") of a transaction txStatus finds on the network.
//   txStatus        gettransaction(txid) (refused ⇒ unknown), then the history of the address
//                   its first output pays: the height there, or unknown when it is not listed.
// Errors other than a refused broadcast become ChainError ("the network is unavailable"),
// with Electrum's message, which names ELECTRUM_RPC_URL or the credentials to check.

/** Electrum's fee slider positions (getfeerate fee_level) → the confirmation target they stand for. */
export const ELECTRUM_FEE_LEVELS: readonly (readonly [feeLevel: number, targetBlocks: number])[] = [
  [1, 1],
  [0.75, 2],
  [0.5, 5],
  [0.25, 10],
  [0, 25],
];

const TX_CACHE = 2_000;

/** gettransaction's answers for a txid the server does not have (anything else is an outage). */
const UNKNOWN_TX = /The server returned an error\.|Unknown transaction/;

const Info = z.object({ blockchain_height: z.number().int().nonnegative(), connected: z.boolean().optional(), network: z.string().optional() }).loose();
const Unspent = z.array(
  z
    .object({
      tx_hash: z.string().regex(/^[0-9a-f]{64}$/),
      tx_pos: z.number().int().nonnegative(),
      height: z.number().int(),
      value: z.number().int().nonnegative(),
    })
    .loose(),
);
const RawTx = z.string().regex(/^([0-9a-f]{2})+$/i);
const FeeRate = z.number().nonnegative().nullable();

interface DecodedOutput {
  /** Undefined for scripts without an address (OP_RETURN, non-standard). */
  address: string | undefined;
  sats: bigint;
}

export class ElectrumChain implements ChainBackend {
  readonly name = "electrum";
  readonly stats = { requests: 0 };
  private readonly signer;
  /** Decoded outputs by txid: a txid commits to its outputs, so an entry never goes stale. */
  private readonly outputCache = new Map<string, DecodedOutput[]>();

  constructor(
    private readonly client: ElectrumClient,
    network: BtcNetwork,
  ) {
    this.signer = networkParams(network).signer;
  }

  async tipHeight(): Promise<number> {
    const info = this.parse("getinfo", Info, await this.rpc(() => this.client.call("getinfo")));
    if (info.connected === false)
      throw new ChainError("unavailable", "Electrum at ELECTRUM_RPC_URL is not connected to an Electrum server (getinfo: connected false)", { url: "" });
    return info.blockchain_height;
  }

  async network(): Promise<{ network: BtcNetwork | null; evidence: string }> {
    // getinfo's "network" is Electrum's constants.net.NET_NAME (mainnet, testnet, regtest, signet, simnet).
    const info = this.parse("getinfo", Info, await this.rpc(() => this.client.call("getinfo")));
    const name = info.network ?? "";
    return { network: isBtcNetwork(name) ? name : null, evidence: `getinfo network ${JSON.stringify(info.network ?? null)}` };
  }

  async addressOutputs(address: string): Promise<AddressOutput[]> {
    const want = this.normalize(address);
    const history = await this.rpc(() => this.client.getAddressHistory(address));
    const decoded = await Promise.all(history.map((item) => this.outputsOf(item.txid)));
    const outputs: AddressOutput[] = [];
    history.forEach((item, i) => {
      decoded[i]!.forEach((o, vout) => {
        if (o.address !== want) return;
        outputs.push({ txid: item.txid, vout, sats: o.sats, blockHeight: item.height > 0 ? item.height : null, blockHash: null, blockTime: null });
      });
    });
    return outputs;
  }

  async addressUtxos(address: string): Promise<AddressUtxo[]> {
    const utxos = this.parse("getaddressunspent", Unspent, await this.rpc(() => this.client.call("getaddressunspent", { address })));
    return utxos.map((u) => ({ txid: u.tx_hash, vout: u.tx_pos, value: BigInt(u.value), blockHeight: u.height > 0 ? u.height : null }));
  }

  async feeEstimates(): Promise<FeeEstimates> {
    const rates = await Promise.all(
      ELECTRUM_FEE_LEVELS.map(async ([feeLevel]) =>
        this.parse("getfeerate", FeeRate, await this.rpc(() => this.client.call("getfeerate", { fee_method: "eta", fee_level: feeLevel }))),
      ),
    );
    const estimates: FeeEstimates = {};
    ELECTRUM_FEE_LEVELS.forEach(([, target], i) => {
      const perKvB = rates[i];
      if (perKvB !== null && perKvB !== undefined) estimates[String(target)] = perKvB / 1000;
    });
    return estimates;
  }

  async broadcast(rawHex: string): Promise<BroadcastResult> {
    const body = rawHex.trim();
    this.stats.requests++;
    try {
      return { status: "accepted", txid: await this.client.broadcast(body) };
    } catch (err) {
      if (!(err instanceof ElectrumError) || err.code !== "rpc") throw asChainError(err);
      const txid = txidOf(body) ?? "";
      if (ALREADY_KNOWN.test(err.message)) return { status: "already_known", txid, message: err.message };
      // Electrum keeps only the server phrases it knows and says "Unknown error" for the rest,
      // Bitcoin Core 22+'s "Transaction outputs already in utxo set" (confirmed) among them:
      // if the network has the transaction, it is already known.
      if (txid && (await this.txStatus(txid).catch(() => null))) return { status: "already_known", txid, message: err.message };
      throw err; // refused: like Esplora's 4xx, retrying the same transaction will not help
    }
  }

  async txStatus(txid: string): Promise<TxStatus | null> {
    let outputs: DecodedOutput[];
    try {
      outputs = await this.outputsOf(txid);
    } catch (err) {
      // gettransaction of a txid the server does not have: "The server returned an error."
      // (Electrum hides the server's own words) or "Unknown transaction".
      if (err instanceof ChainError && err.cause instanceof ElectrumError && err.cause.code === "rpc" && UNKNOWN_TX.test(err.cause.message)) return null;
      throw err;
    }
    const address = outputs.find((o) => o.address)?.address;
    if (!address) return { confirmed: false, blockHeight: null };
    const item = (await this.rpc(() => this.client.getAddressHistory(address))).find((h) => h.txid === txid);
    if (!item) return null; // dropped or replaced: the history of every address it pays lists it otherwise
    return item.height > 0 ? { confirmed: true, blockHeight: item.height } : { confirmed: false, blockHeight: null };
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** One counted JSON-RPC request; Electrum's transport and command errors become ChainError. */
  private async rpc<T>(fn: () => Promise<T>): Promise<T> {
    this.stats.requests++;
    metrics().chainCalls.inc({ backend: "electrum" });
    try {
      return await fn();
    } catch (err) {
      throw asChainError(err);
    }
  }

  private parse<S extends z.ZodType>(method: string, schema: S, value: unknown): z.output<S> {
    const r = schema.safeParse(value);
    if (!r.success) throw new ChainError("invalid_response", `unexpected answer from Electrum ${method}: ${JSON.stringify(value)?.slice(0, 200)}`, { url: "" });
    return r.data;
  }

  private async outputsOf(txid: string): Promise<DecodedOutput[]> {
    const cached = this.outputCache.get(txid);
    if (cached) return cached;
    const raw = this.parse("gettransaction", RawTx, await this.rpc(() => this.client.call("gettransaction", { txid })));
    let tx: Transaction;
    try {
      tx = Transaction.fromRaw(hex.decode(raw.toLowerCase()), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
    } catch (cause) {
      throw new ChainError("invalid_response", `Electrum gettransaction ${txid} is not a transaction`, { url: "", cause });
    }
    if (tx.id !== txid) throw new ChainError("invalid_response", `Electrum gettransaction ${txid} returned transaction ${tx.id}`, { url: "" });
    const outputs = Array.from({ length: tx.outputsLength }, (_, i) => ({ address: this.addressOf(tx, i), sats: tx.getOutput(i).amount ?? 0n }));
    if (this.outputCache.size >= TX_CACHE) this.outputCache.delete(this.outputCache.keys().next().value!);
    this.outputCache.set(txid, outputs);
    return outputs;
  }

  private addressOf(tx: Transaction, i: number): string | undefined {
    try {
      return tx.getOutputAddress(i, this.signer);
    } catch {
      return undefined; // no address form (OP_RETURN, bare multisig, unknown)
    }
  }

  /** The address as btc-signer encodes it (bech32 in lower case), so it compares with decoded outputs. */
  private normalize(address: string): string {
    try {
      const coder = Address(this.signer);
      return coder.encode(coder.decode(address));
    } catch {
      return address;
    }
  }
}

function asChainError(err: unknown): unknown {
  if (!(err instanceof ElectrumError)) return err;
  const kind: ChainErrorKind =
    err.code === "unreachable" ? "unreachable" : err.code === "timeout" ? "timeout" : err.code === "malformed" ? "invalid_response" : "unavailable";
  return new ChainError(kind, err.message, { url: "", cause: err });
}
