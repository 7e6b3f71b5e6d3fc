import { p2wpkh, Transaction } from "@scure/btc-signer";
import { addressOutputScript, type BtcNetwork, networkParams } from "@/lib/rails/bitcoin/networks";
import { dustThreshold, estimateP2wpkhSweepVsize, type HotWallet, HotWalletError, parseFeeRate, type Sweep, type Utxo } from "./hot-wallet";

// A batched sweep: the confirmed outputs of many hot-wallet addresses (each its own key,
// m/84'/coin'/0'/0/index) in ONE transaction with one output to BTC_FORWARD_ADDRESS. A
// transaction's fixed part (version, counts, the output, locktime: ~43 vB for P2WPKH) is paid
// once instead of once per checkout, and the fee-share check (planBatch) decides what is
// worth sweeping at today's fee rate. Every input signals opt-in RBF, so a stuck batch can be
// replaced by one paying more (bumpFeeRate). Pure: no I/O, deterministic signatures, so the
// same inputs and rate always give the same txid.

/** A UTXO of the hot wallet's address at `index`. */
export interface IndexedUtxo extends Utxo {
  index: number;
}

export interface BatchSweepInput {
  wallet: HotWallet;
  /** Every UTXO to spend, in input order; each signed with its own address's key. */
  utxos: IndexedUtxo[];
  toAddress: string;
  feeRateSatPerVb: number | string;
  network?: BtcNetwork;
}

/** nSequence of every sweep input: below 0xfffffffe, so BIP125 lets a higher-fee version replace it. */
export const RBF_SEQUENCE = 0xfffffffd;

const TXID = /^[0-9a-f]{64}$/;

/** The fee ⌈vsize × rate⌉ of a sweep of `inputs` P2WPKH inputs to `toAddress`. */
export function sweepFee(inputs: number, outputScript: Uint8Array, feeRateSatPerVb: number | string): { fee: bigint; vsize: number } {
  const rate = parseFeeRate(feeRateSatPerVb);
  const vsize = estimateP2wpkhSweepVsize(inputs, outputScript);
  return { fee: (BigInt(vsize) * rate.num + rate.den - 1n) / rate.den, vsize };
}

/** Signs one transaction spending every given UTXO (any mix of addresses) to one output. Refuses dust. */
export function buildBatchSweep({ wallet, utxos, toAddress, feeRateSatPerVb, network }: BatchSweepInput): Sweep {
  if (network !== undefined && network !== wallet.network)
    throw new HotWalletError("network_mismatch", `sweep for ${network} asked of a ${wallet.network} hot wallet: check BTC_NETWORK`);
  const net = networkParams(wallet.network);
  if (!Array.isArray(utxos) || utxos.length === 0) throw new HotWalletError("invalid_input", "nothing to sweep: no UTXOs given");
  const seen = new Set<string>();
  let total = 0n;
  for (const u of utxos) {
    if (typeof u.txid !== "string" || !TXID.test(u.txid.toLowerCase()))
      throw new HotWalletError("invalid_input", `UTXO txid must be 64 hex characters, got ${JSON.stringify(u.txid)}`);
    if (!Number.isSafeInteger(u.vout) || u.vout < 0 || u.vout > 0xffffffff)
      throw new HotWalletError("invalid_input", `UTXO vout must be a non-negative integer, got ${u.vout}`);
    if (typeof u.value !== "bigint" || u.value <= 0n)
      throw new HotWalletError("invalid_input", `UTXO value must be a positive bigint of sats (${u.txid}:${u.vout})`);
    if (!Number.isSafeInteger(u.index) || u.index < 0 || u.index > 0x7fffffff)
      throw new HotWalletError("invalid_input", `address index must be an integer from 0 to ${0x7fffffff}, got ${u.index}`);
    const key = `${u.txid.toLowerCase()}:${u.vout}`;
    if (seen.has(key)) throw new HotWalletError("invalid_input", `UTXO ${key} is listed twice`);
    seen.add(key);
    total += u.value;
  }
  let outScript: Uint8Array;
  try {
    outScript = addressOutputScript(toAddress, wallet.network, "forward address");
  } catch (e) {
    throw new HotWalletError("invalid_input", `${(e as Error).message}: check BTC_FORWARD_ADDRESS and BTC_NETWORK`);
  }
  const { fee, vsize } = sweepFee(utxos.length, outScript, feeRateSatPerVb);
  const amount = total - fee;
  const dust = dustThreshold(outScript);
  if (amount < dust)
    throw new HotWalletError(
      "dust",
      `sweep would leave ${amount} sats after a ${fee} sat fee (${total} sats in ${utxos.length} UTXO(s) at ${feeRateSatPerVb} sat/vB), below the ${dust} sat dust limit: wait for lower fees`,
    );

  const tx = new Transaction({ lowR: true });
  for (const u of utxos) {
    tx.addInput({
      txid: u.txid.toLowerCase(),
      index: u.vout,
      witnessUtxo: { script: p2wpkh(wallet.publicKey(u.index), net.signer).script, amount: u.value },
      sequence: RBF_SEQUENCE,
    });
  }
  tx.addOutput({ script: outScript, amount });
  utxos.forEach((u, i) => {
    const key = wallet.signingKey(u.index);
    try {
      if (!tx.signIdx(key, i)) throw new Error(`could not sign input ${i}`);
    } finally {
      key.fill(0);
    }
  });
  tx.finalize();
  if (tx.vsize > vsize) throw new Error(`signed sweep is ${tx.vsize} vB, larger than the ${vsize} vB its fee was computed for`);
  return { hex: tx.hex, txid: tx.id, fee, amount, vsize };
}

/** One checkout's confirmed, unswept outputs: swept together or not at all. */
export interface SweepGroup {
  checkoutId: string;
  utxos: IndexedUtxo[];
}

export interface BatchPlan {
  /** The groups to sweep now, in input order (largest first). */
  take: SweepGroup[];
  /** Groups left for a later sweep, and why, in words an admin reads. */
  wait: { group: SweepGroup; reason: string; full?: boolean }[];
  /** The planned transaction's fee and value (when anything is taken). */
  feeSats: bigint;
  valueSats: bigint;
}

const sum = (us: Utxo[]) => us.reduce((s, u) => s + u.value, 0n);

/** BTC_FORWARD_MAX_FEE_PERCENT ("5", "2.5") in hundredths of a percent, exactly. */
export function percentToBps(percent: string): bigint {
  const r = parseFeeRate(percent);
  return (r.num * 100n) / r.den;
}

/**
 * Which groups one batch sweeps at `feeRate`, so the fee never exceeds `maxFeeBps` of the value
 * swept: each group must pay for its own inputs within the share (a small payment is not
 * carried by the others), and the whole transaction, its fixed part included, must stay within
 * it. Largest groups first, at most `maxInputs` inputs. Whatever is left waits, with its reason.
 */
export function planBatch(
  groups: SweepGroup[],
  opts: { feeRate: string; maxFeeBps: bigint; maxInputs: number; toScript: Uint8Array; maxPercent: string },
): BatchPlan {
  const { feeRate, maxFeeBps, maxInputs, toScript, maxPercent } = opts;
  const overhead = sweepFee(0, toScript, feeRate).fee;
  const sorted = [...groups].sort((a, b) => {
    const d = sum(b.utxos) - sum(a.utxos);
    return d > 0n ? 1 : d < 0n ? -1 : a.checkoutId < b.checkoutId ? -1 : 1;
  });
  const share = (fee: bigint, value: bigint) => (value > 0n ? Number((fee * 10_000n) / value) / 100 : Infinity);
  const take: SweepGroup[] = [];
  const wait: BatchPlan["wait"] = [];
  let inputs = 0;
  for (const g of sorted) {
    const value = sum(g.utxos);
    const own = sweepFee(g.utxos.length, toScript, feeRate).fee - overhead; // its inputs' part of the fee
    if (own * 10_000n > maxFeeBps * value) {
      wait.push({
        group: g,
        reason: `waiting for cheaper fees: spending its ${g.utxos.length} output(s) of ${value} sats costs ${own} sats at ${feeRate} sat/vB (${share(own, value)} %, above BTC_FORWARD_MAX_FEE_PERCENT=${maxPercent})`,
      });
      continue;
    }
    if (inputs + g.utxos.length > maxInputs && take.length > 0) {
      wait.push({ group: g, reason: `in the next batch: this one is full (BTC_FORWARD_BATCH_MAX=${maxInputs} inputs)`, full: true });
      continue;
    }
    take.push(g);
    inputs += g.utxos.length;
  }
  const valueSats = take.reduce((s, g) => s + sum(g.utxos), 0n);
  const feeSats = take.length ? sweepFee(inputs, toScript, feeRate).fee : 0n;
  if (take.length && feeSats * 10_000n > maxFeeBps * valueSats) {
    const reason = `waiting for cheaper fees: the batch of ${valueSats} sats would pay ${feeSats} sats in fees at ${feeRate} sat/vB (${share(feeSats, valueSats)} %, above BTC_FORWARD_MAX_FEE_PERCENT=${maxPercent})`;
    return { take: [], wait: [...take.map((group) => ({ group, reason })), ...wait], feeSats: 0n, valueSats: 0n };
  }
  return { take, wait, feeSats, valueSats };
}

/** Each checkout's share of the batch fee, in proportion to its value (the same percentage for all); Σ = fee exactly, each ≥ 1. */
export function feeShares(groups: { utxos: { value: bigint }[] }[], fee: bigint): bigint[] {
  const values = groups.map((g) => g.utxos.reduce((s, u) => s + u.value, 0n));
  const total = values.reduce((s, v) => s + v, 0n);
  const shares = values.map((v) => (fee * v + total - 1n) / total); // ⌈fee × v / total⌉
  let excess = shares.reduce((s, v) => s + v, 0n) - fee;
  for (let i = 0; excess > 0n; i = (i + 1) % shares.length) {
    if (shares[i]! > 1n) {
      shares[i]! -= 1n;
      excess -= 1n;
    }
  }
  return shares;
}

/**
 * The fee rate of an RBF replacement: at least the estimate now, 1.5 × the old rate and the old
 * rate + 1 sat/vB (BIP125 rule 4: a replacement pays its own size at the incremental relay fee
 * of 1 sat/vB on top of the old fee; the same inputs and output keep the size). A decimal string.
 */
export function bumpFeeRate(oldRate: string, estimate: string): string {
  const old = Number(oldRate);
  const rate = Math.max(Number(estimate), old * 1.5, old + 1);
  return (Math.ceil(rate * 1000) / 1000).toString();
}
