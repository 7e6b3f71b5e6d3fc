// A regtest chain for tests and local development: blocks, a mempool and outputs, held in
// memory. It is a test fake, not a node — no proof of work, no script or signature checks,
// no coinbase transactions — but everything it hands out (see toEsploraTx and friends) uses
// Blockstream Esplora's JSON shapes, so the client under test cannot tell it apart from
// electrs for the endpoints Satchel uses.
//
// Pure state: no I/O, no clock. Every transaction is a real serialisation (simulated payments
// spend a made-up funding output, unsigned) and every block has a real 80-byte header, so
// txids and block hashes are what a node would compute from them, and the Electrum-server
// face (electrum-server.ts) can hand out raw transactions and headers; a run is deterministic.

import { createHash } from "node:crypto";
import { hex } from "@scure/base";
import * as btc from "@scure/btc-signer";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import type { BtcNetwork } from "../networks";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/bitcoin/sandbox/chain.ts");

/** Regtest address parameters (bech32 "bcrt"). @scure/btc-signer only ships main and test. */
export const REGTEST = { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef } as const;
const NETWORKS = [REGTEST, btc.TEST_NETWORK, btc.NETWORK];

/** Where simulated payments come from, and where /_sim/replace sends the double-spend. */
export const FAUCET_ADDRESS = addressOf(new Uint8Array(20).fill(0xfa));
export const ELSEWHERE_ADDRESS = addressOf(new Uint8Array(20).fill(0xee));

const GENESIS_TIME = 1_700_000_000;
const BLOCK_INTERVAL = 600;
const SIM_FEE = 1_000n; // fee of every /_sim/pay transaction, in sats
export const MAX_MEMPOOL_TXS = 50; // electrs MAX_MEMPOOL_TXS
export const CHAIN_TXS_PER_PAGE = 25; // electrs CHAIN_TXS_PER_PAGE

export interface SimOutput {
  /** Address as given (any string for /_sim/pay), or null for scripts with no address. */
  address: string | null;
  scriptpubkey: string; // hex, "" when the address could not be decoded
  value: bigint;
}

export interface SimInput {
  txid: string;
  vout: number;
  sequence: number;
  scriptsig: string;
  witness: string[];
  /** Set for the fake funding input of /_sim/pay transactions (the output lives nowhere). */
  fundingPrevout?: SimOutput;
}

export interface SimTx {
  txid: string;
  version: number;
  locktime: number;
  vin: SimInput[];
  vout: SimOutput[];
  size: number;
  weight: number;
  /** Raw hex: as broadcast, or the unsigned serialisation of a simulated payment or replacement. */
  hex: string;
  /** Arrival order, for "newest first" mempool listings. */
  seq: number;
}

export interface SimBlock {
  hash: string;
  /** The 80-byte block header, hex (its double SHA-256, byte-reversed, is `hash`). */
  header: string;
  height: number;
  time: number;
  prev: string | null;
  txids: string[];
}

export interface TxStatusJson {
  confirmed: boolean;
  block_height?: number;
  block_hash?: string;
  block_time?: number;
}

/** Bitcoin Core's sendrawtransaction error, as electrs relays it (HTTP 400, text/plain). */
export class BroadcastError extends Error {
  constructor(
    readonly code: number,
    readonly rpcMessage: string,
  ) {
    super(`sendrawtransaction RPC error: ${JSON.stringify({ code, message: rpcMessage })}`);
    this.name = "BroadcastError";
  }
}

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "SimError";
  }
}

export const sha256hex = (s: string): string => createHash("sha256").update(s).digest("hex");

function addressOf(hash20: Uint8Array): string {
  return btc.Address(REGTEST).encode({ type: "wpkh", hash: hash20 });
}

/** scriptPubKey hex for an address on any network; "" if it is not a real address. */
export function scriptForAddress(address: string): string {
  for (const net of NETWORKS) {
    try {
      return hex.encode(btc.OutScript.encode(btc.Address(net).decode(address)));
    } catch {
      // try the next network
    }
  }
  return "";
}

/** Regtest address for a scriptPubKey, or null (OP_RETURN, bare multisig, unknown). */
export function addressForScript(script: Uint8Array): string | null {
  try {
    return btc.Address(REGTEST).encode(btc.OutScript.decode(script));
  } catch {
    return null;
  }
}

const outKey = (txid: string, vout: number) => `${txid}:${vout}`;

export class Chain {
  readonly blocks: SimBlock[] = [];
  /** Every transaction the chain knows: confirmed and mempool. */
  private readonly txs = new Map<string, SimTx>();
  /** Mempool txids in arrival order (parents before children). */
  private mempool: string[] = [];
  private readonly confirmedAt = new Map<string, number>(); // txid → height
  private readonly position = new Map<string, number>(); // txid → index in its block
  private readonly spentBy = new Map<string, string>(); // "txid:vout" → spending txid
  private readonly byAddress = new Map<string, Set<string>>(); // address → txids
  private seq = 0;
  private readonly listeners = new Set<() => void>();
  feeEstimates: Record<string, number> = {
    "1": 20.5,
    "2": 15.1,
    "3": 12.0,
    "4": 10.3,
    "5": 8.7,
    "6": 6.2,
    "10": 3.4,
    "20": 2.1,
    "25": 1.8,
    "144": 1.2,
    "504": 1.0,
    "1008": 1.0,
  };

  /**
   * `genesisOf` picks the real genesis hash of that network for block 0 (default regtest), so
   * the app's network check sees what a real backend would say; a test can stand in for a
   * mainnet backend with "mainnet". Addresses stay regtest ones either way.
   */
  constructor(opts: { genesisOf?: BtcNetwork } = {}) {
    this.appendBlock([], GENESIS_HEADERS[opts.genesisOf ?? "regtest"]); // genesis, height 0
  }

  // ---- reads -------------------------------------------------------------------------

  get height(): number {
    return this.blocks.length - 1;
  }

  get tip(): SimBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  getTx(txid: string): SimTx | undefined {
    return this.txs.get(txid);
  }

  /** Every address a transaction of the chain or the mempool pays or spends from. */
  knownAddresses(): IterableIterator<string> {
    return this.byAddress.keys();
  }

  mempoolTxids(): string[] {
    return [...this.mempool];
  }

  /** Esplora's /tx/:txid/status: unknown txids are simply {"confirmed":false}, like electrs. */
  status(txid: string): TxStatusJson {
    const height = this.confirmedAt.get(txid);
    if (height === undefined) return { confirmed: false };
    const block = this.blocks[height]!;
    return { confirmed: true, block_height: height, block_hash: block.hash, block_time: block.time };
  }

  /** The output a transaction input spends (null for a funding input we never stored). */
  prevout(input: SimInput): SimOutput | null {
    if (input.fundingPrevout) return input.fundingPrevout;
    return this.txs.get(input.txid)?.vout[input.vout] ?? null;
  }

  fee(tx: SimTx): bigint {
    const inSum = tx.vin.reduce((s, i) => s + (this.prevout(i)?.value ?? 0n), 0n);
    const outSum = tx.vout.reduce((s, o) => s + o.value, 0n);
    return inSum - outSum;
  }

  /** Confirmed history, newest first (height desc, then position in block desc). */
  chainHistory(address: string): string[] {
    const ids = [...(this.byAddress.get(address) ?? [])].filter((id) => this.confirmedAt.has(id));
    const height = (id: string) => this.confirmedAt.get(id)!;
    const pos = (id: string) => this.position.get(id)!;
    return ids.sort((a, b) => height(b) - height(a) || pos(b) - pos(a));
  }

  /** Unconfirmed history, newest first. */
  mempoolHistory(address: string): string[] {
    const ids = [...(this.byAddress.get(address) ?? [])].filter((id) => !this.confirmedAt.has(id));
    return ids.sort((a, b) => this.txs.get(b)!.seq - this.txs.get(a)!.seq);
  }

  /** GET /address/:a/txs — up to 50 mempool txs, then the first 25 confirmed. */
  addressTxs(address: string): string[] {
    return [...this.mempoolHistory(address).slice(0, MAX_MEMPOOL_TXS), ...this.chainHistory(address).slice(0, CHAIN_TXS_PER_PAGE)];
  }

  /** GET /address/:a/txs/chain[/:last_seen] — 25 confirmed txs after last_seen. */
  addressChainTxs(address: string, lastSeen?: string): string[] {
    const all = this.chainHistory(address);
    let start = 0;
    if (lastSeen !== undefined) {
      const i = all.indexOf(lastSeen);
      if (i < 0) return [];
      start = i + 1;
    }
    return all.slice(start, start + CHAIN_TXS_PER_PAGE);
  }

  /** Unspent outputs paying the address; mempool outputs included, mempool spends removed. */
  utxos(address: string): { txid: string; vout: number; value: bigint; status: TxStatusJson }[] {
    const out: { txid: string; vout: number; value: bigint; status: TxStatusJson }[] = [];
    for (const txid of this.byAddress.get(address) ?? []) {
      const tx = this.txs.get(txid)!;
      tx.vout.forEach((o, vout) => {
        if (o.address === address && !this.spentBy.has(outKey(txid, vout))) {
          out.push({ txid, vout, value: o.value, status: this.status(txid) });
        }
      });
    }
    return out;
  }

  /** GET /address/:a — chain_stats and mempool_stats. */
  addressStats(address: string) {
    const empty = () => ({
      funded_txo_count: 0,
      funded_txo_sum: 0n,
      spent_txo_count: 0,
      spent_txo_sum: 0n,
      tx_count: 0,
    });
    const chain = empty();
    const mempool = empty();
    for (const txid of this.byAddress.get(address) ?? []) {
      const tx = this.txs.get(txid)!;
      const s = this.confirmedAt.has(txid) ? chain : mempool;
      s.tx_count++;
      for (const o of tx.vout) {
        if (o.address === address) {
          s.funded_txo_count++;
          s.funded_txo_sum += o.value;
        }
      }
      for (const i of tx.vin) {
        const p = this.prevout(i);
        if (p?.address === address) {
          s.spent_txo_count++;
          s.spent_txo_sum += p.value;
        }
      }
    }
    return { address, chain_stats: chain, mempool_stats: mempool };
  }

  // ---- writes ------------------------------------------------------------------------

  /** A mempool transaction paying the outputs from a fake funding input (fee 1,000 sats). */
  pay(outputs: { address: string; sats: bigint }[]): string {
    if (outputs.length === 0) throw new SimError(400, "at least one output is required");
    for (const o of outputs) {
      if (o.address.length === 0) throw new SimError(400, "address must not be empty");
      if (o.sats <= 0n) throw new SimError(400, "sats must be positive");
    }
    const total = outputs.reduce((s, o) => s + o.sats, 0n);
    const seq = ++this.seq;
    const vout: SimOutput[] = outputs.map((o) => ({
      address: o.address,
      scriptpubkey: scriptForAddress(o.address),
      value: o.sats,
    }));
    const fundingTxid = sha256hex(`funding:${seq}`);
    const vin: SimInput[] = [
      {
        txid: fundingTxid,
        vout: 0,
        sequence: 0xfffffffd,
        scriptsig: "",
        witness: [],
        fundingPrevout: { address: FAUCET_ADDRESS, scriptpubkey: scriptForAddress(FAUCET_ADDRESS), value: total + SIM_FEE },
      },
    ];
    const { txid, raw } = serialise(vin, vout);
    this.addToMempool({ txid, version: 2, locktime: 0, vin, vout, size: raw.length / 2, weight: (raw.length / 2) * 4, hex: raw, seq });
    this.changed();
    return txid;
  }

  /**
   * A real signed transaction (what POST /tx receives). Checks what a node would check
   * about inputs and amounts, in Bitcoin Core's words; never checks scripts or signatures.
   */
  broadcast(rawHex: string): string {
    let tx: btc.Transaction;
    try {
      tx = btc.Transaction.fromRaw(hex.decode(rawHex.trim().toLowerCase()), {
        allowUnknownOutputs: true,
        allowUnknownInputs: true,
        disableScriptCheck: true,
      });
    } catch {
      throw new BroadcastError(-22, "TX decode failed. Make sure the tx has at least one input.");
    }
    const txid = tx.id;
    if (this.confirmedAt.has(txid)) throw new BroadcastError(-27, "Transaction already in block chain");
    if (this.txs.has(txid)) throw new BroadcastError(-26, "txn-already-in-mempool");
    if (tx.inputsLength === 0 || tx.outputsLength === 0) {
      throw new BroadcastError(-26, tx.inputsLength === 0 ? "bad-txns-vin-empty" : "bad-txns-vout-empty");
    }

    const vin: SimInput[] = [];
    let inSum = 0n;
    const conflicts = new Set<string>(); // mempool transactions spending the same outputs
    for (let i = 0; i < tx.inputsLength; i++) {
      const input = tx.getInput(i);
      const prevTxid = hex.encode(input.txid!);
      const prevVout = input.index!;
      const prev = this.txs.get(prevTxid)?.vout[prevVout];
      const spender = this.spentBy.get(outKey(prevTxid, prevVout));
      if (!prev || (spender && this.confirmedAt.has(spender))) {
        throw new BroadcastError(-25, "bad-txns-inputs-missingorspent");
      }
      if (spender) conflicts.add(spender);
      const witness = (input.finalScriptWitness ?? []).map((w) => hex.encode(w));
      const scriptsig = input.finalScriptSig ? hex.encode(input.finalScriptSig) : "";
      if (witness.length === 0 && scriptsig === "") {
        throw new BroadcastError(-26, "mandatory-script-verify-flag-failed (Operation not valid with the current stack size)");
      }
      vin.push({ txid: prevTxid, vout: prevVout, sequence: input.sequence ?? 0xffffffff, scriptsig, witness });
      inSum += prev.value;
    }
    const vout: SimOutput[] = [];
    let outSum = 0n;
    for (let i = 0; i < tx.outputsLength; i++) {
      const o = tx.getOutput(i);
      const script = o.script ?? new Uint8Array();
      vout.push({ address: addressForScript(script), scriptpubkey: hex.encode(script), value: o.amount ?? 0n });
      outSum += o.amount ?? 0n;
    }
    if (outSum > inSum) throw new BroadcastError(-25, "bad-txns-in-belowout");

    const raw = tx.toBytes(true, true);
    const weight = tx.toBytes(true, false).length * 3 + raw.length; // BIP141
    if (conflicts.size) this.replaceConflicts([...conflicts], txid, inSum - outSum, Math.ceil(weight / 4));
    this.addToMempool({
      txid,
      version: tx.version,
      locktime: tx.lockTime,
      vin,
      vout,
      size: raw.length,
      weight,
      hex: hex.encode(raw),
      seq: ++this.seq,
    });
    this.changed();
    return txid;
  }

  /**
   * BIP125 as Bitcoin Core (before full RBF) applies it to a transaction that spends outputs
   * mempool transactions already spend: every conflict must signal replaceability (an input's
   * nSequence below 0xfffffffe), and the newcomer must pay a higher fee rate than each and at
   * least their fees plus its own size at the 1 sat/vB incremental relay fee. Then the
   * conflicts and their descendants leave the mempool.
   */
  private replaceConflicts(conflicts: string[], txid: string, fee: bigint, vsize: number): void {
    const olds = conflicts.map((id) => this.txs.get(id)!);
    if (!olds.every((o) => o.vin.some((i) => i.sequence < 0xfffffffe))) throw new BroadcastError(-26, "txn-mempool-conflict");
    const oldFees = olds.reduce((s, o) => s + this.fee(o), 0n);
    const rate = (f: bigint, vb: number) => Number(f) / vb;
    const worst = Math.max(...olds.map((o) => rate(this.fee(o), Math.ceil(o.weight / 4))));
    if (rate(fee, vsize) <= worst || fee < oldFees + BigInt(vsize))
      throw new BroadcastError(
        -26,
        `insufficient fee, rejecting replacement ${txid}; new fee ${fee} sats at ${rate(fee, vsize).toFixed(2)} sat/vB, old ${oldFees} sats at ${worst.toFixed(2)} sat/vB`,
      );
    for (const id of conflicts) this.removeWithDescendants(id);
  }

  /**
   * Mines the mempool into the next block, then n-1 more blocks. With `minFeeRate` (sat/vB),
   * a transaction paying less (and anything spending it) stays in the mempool, as when miners
   * fill blocks with better-paying ones: how a sweep gets stuck.
   */
  mine(n = 1, opts: { minFeeRate?: number } = {}): string[] {
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new SimError(400, "blocks must be 1..10000");
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) {
      const left = new Set<string>();
      for (const id of this.mempool) {
        const tx = this.txs.get(id)!;
        const cheap = opts.minFeeRate !== undefined && Number(this.fee(tx)) / Math.ceil(tx.weight / 4) < opts.minFeeRate;
        if (cheap || tx.vin.some((v) => left.has(v.txid))) left.add(id);
      }
      const txids = this.mempool.filter((id) => !left.has(id));
      this.mempool = this.mempool.filter((id) => left.has(id));
      hashes.push(this.appendBlock(txids).hash);
    }
    this.changed();
    return hashes;
  }

  /**
   * Orphans the last `depth` blocks: the tip drops by `depth`. Their transactions go back to
   * the mempool ahead of what is already there (as a node does after a reorg), or with
   * drop: true they vanish along with anything spending them (a reorg onto a chain that
   * double-spent them). Mine afterwards to build the replacement chain.
   */
  reorg(depth: number, opts: { drop?: boolean } = {}): { orphaned: string[]; txids: string[] } {
    if (!Number.isInteger(depth) || depth < 1 || depth > this.height) {
      throw new SimError(400, `depth must be 1..${this.height} (genesis stays)`);
    }
    const removed = this.blocks.splice(this.blocks.length - depth, depth);
    const txids = removed.flatMap((b) => b.txids);
    for (const id of txids) {
      this.confirmedAt.delete(id);
      this.position.delete(id);
    }
    this.mempool = [...txids, ...this.mempool];
    if (opts.drop) for (const id of txids) if (this.txs.has(id)) this.removeWithDescendants(id);
    this.changed();
    return { orphaned: removed.map((b) => b.hash), txids };
  }

  /**
   * Double-spends a mempool transaction: a conflicting one spends the same inputs and pays
   * everything (less a higher fee) to `address` (default ELSEWHERE_ADDRESS). The original and
   * its descendants disappear, exactly as after an RBF replacement.
   */
  replace(txid: string, address: string = ELSEWHERE_ADDRESS): string {
    const old = this.txs.get(txid);
    if (!old) throw new SimError(404, "Transaction not found");
    if (this.confirmedAt.has(txid)) throw new SimError(400, "transaction is confirmed; reorg it out first");
    const inSum = old.vin.reduce((s, i) => s + (this.prevout(i)?.value ?? 0n), 0n);
    const value = inSum - 2n * SIM_FEE;
    if (value <= 0n) throw new SimError(400, "inputs too small to replace");
    this.removeWithDescendants(txid);
    const seq = ++this.seq;
    const vout: SimOutput[] = [{ address, scriptpubkey: scriptForAddress(address), value }];
    const vin = old.vin.map((i) => ({ ...i, sequence: 0xfffffffd }));
    const { txid: newTxid, raw } = serialise(vin, vout);
    this.addToMempool({ ...old, txid: newTxid, vin, vout, size: raw.length / 2, weight: (raw.length / 2) * 4, hex: raw, seq });
    this.changed();
    return newTxid;
  }

  /** Evicts a mempool transaction (and its descendants), as after expiry or a full mempool. */
  drop(txid: string): string[] {
    if (!this.txs.has(txid)) throw new SimError(404, "Transaction not found");
    if (this.confirmedAt.has(txid)) throw new SimError(400, "transaction is confirmed; reorg it out first");
    const removed = this.removeWithDescendants(txid);
    this.changed();
    return removed;
  }

  /** Calls `fn` after every change (a transaction in or out of the mempool, a block, a reorg); returns the unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  state() {
    return {
      height: this.height,
      tip: this.tip.hash,
      mempool: this.mempoolTxids(),
      blocks: this.blocks.slice(-10).map((b) => ({ height: b.height, hash: b.hash, txids: b.txids })),
      fee_estimates: this.feeEstimates,
    };
  }

  // ---- internals ---------------------------------------------------------------------

  private appendBlock(txids: string[], genesis?: string): SimBlock {
    const prev = this.blocks.length ? this.tip.hash : null;
    const height = this.blocks.length;
    const seq = ++this.seq;
    const time = GENESIS_TIME + BLOCK_INTERVAL * seq;
    const header = genesis ?? blockHeader({ prev: prev!, merkleRoot: merkleRoot(txids), time, nonce: seq });
    const block: SimBlock = { hash: headerHash(header), header, height, time: genesis ? headerTime(genesis) : time, prev, txids };
    this.blocks.push(block);
    txids.forEach((id, i) => {
      this.confirmedAt.set(id, height);
      this.position.set(id, i);
    });
    return block;
  }

  private addToMempool(tx: SimTx): void {
    this.txs.set(tx.txid, tx);
    this.mempool.push(tx.txid);
    for (const i of tx.vin) {
      if (!i.fundingPrevout) this.spentBy.set(outKey(i.txid, i.vout), tx.txid);
    }
    for (const address of this.addressesOf(tx)) this.index(address).add(tx.txid);
  }

  /** Removes an unconfirmed tx and everything spending its outputs. Returns removed txids. */
  private removeWithDescendants(txid: string): string[] {
    const tx = this.txs.get(txid);
    if (!tx) return [];
    const removed = [txid];
    tx.vout.forEach((_, vout) => {
      const child = this.spentBy.get(outKey(txid, vout));
      if (child) removed.push(...this.removeWithDescendants(child));
    });
    for (const i of tx.vin) {
      if (this.spentBy.get(outKey(i.txid, i.vout)) === txid) this.spentBy.delete(outKey(i.txid, i.vout));
    }
    for (const address of this.addressesOf(tx)) this.byAddress.get(address)?.delete(txid);
    this.txs.delete(txid);
    this.mempool = this.mempool.filter((id) => id !== txid);
    return removed;
  }

  private addressesOf(tx: SimTx): Set<string> {
    const set = new Set<string>();
    for (const o of tx.vout) if (o.address) set.add(o.address);
    for (const i of tx.vin) {
      const p = this.prevout(i);
      if (p?.address) set.add(p.address);
    }
    return set;
  }

  private index(address: string): Set<string> {
    let set = this.byAddress.get(address);
    if (!set) {
      set = new Set();
      this.byAddress.set(address, set);
    }
    return set;
  }
}

// ---- serialisation ----------------------------------------------------------------------

const dsha256 = (b: Uint8Array) => createHash("sha256").update(createHash("sha256").update(b).digest()).digest();
/** Display order (what APIs show) ↔ internal order (what is hashed): byte-reversed. */
const reversed = (h: string) => hex.encode(hex.decode(h).reverse());

/** The unsigned serialisation of a simulated transaction, and its txid. */
function serialise(vin: SimInput[], vout: SimOutput[]): { txid: string; raw: string } {
  const tx = new btc.Transaction({ allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  for (const i of vin) tx.addInput({ txid: hex.decode(i.txid), index: i.vout, sequence: i.sequence });
  for (const o of vout) tx.addOutput({ script: hex.decode(o.scriptpubkey), amount: o.value });
  return { txid: tx.id, raw: hex.encode(tx.toBytes(true, false)) };
}

/** Bitcoin's merkle root of txids (display order in, internal order out, hex). */
function merkleRoot(txids: string[]): string {
  if (txids.length === 0) return "00".repeat(32);
  let level = txids.map((t) => hex.decode(t).reverse());
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i]!;
      const b = level[i + 1] ?? a;
      const both = new Uint8Array(64);
      both.set(a);
      both.set(b, 32);
      next.push(dsha256(both));
    }
    level = next;
  }
  return hex.encode(level[0]!);
}

const u32le = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return hex.encode(b);
};

/** An 80-byte header: version 4, previous hash, merkle root, time, regtest's bits, nonce. */
function blockHeader(h: { prev: string; merkleRoot: string; time: number; nonce: number }): string {
  return `${u32le(0x20000000)}${reversed(h.prev)}${h.merkleRoot}${u32le(h.time)}${u32le(0x207fffff)}${u32le(h.nonce)}`;
}

export const headerHash = (header: string): string => hex.encode(dsha256(hex.decode(header)).reverse());
const headerTime = (header: string): number => new DataView(hex.decode(header).buffer).getUint32(68, true);

/** The real genesis headers: one coinbase (merkle root 4a5e1e…), differing in time, bits and nonce. */
const GENESIS_MERKLE = "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a";
const genesisHeader = (time: number, bits: number, nonce: number) =>
  `${u32le(1)}${"00".repeat(32)}${GENESIS_MERKLE}${u32le(time)}${u32le(bits)}${u32le(nonce)}`;
export const GENESIS_HEADERS: Record<BtcNetwork, string> = {
  mainnet: genesisHeader(1231006505, 0x1d00ffff, 2083236893),
  testnet: genesisHeader(1296688602, 0x1d00ffff, 414098458),
  signet: genesisHeader(1598918400, 0x1e0377ae, 52613770),
  regtest: genesisHeader(1296688602, 0x207fffff, 2),
};
