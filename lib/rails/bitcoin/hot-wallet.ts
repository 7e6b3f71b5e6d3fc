import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import { p2wpkh, Transaction } from "@scure/btc-signer";
import { parseDecimal } from "@/lib/money/amounts";
import { addressOutputScript, type BtcNetwork, networkParams } from "@/lib/rails/bitcoin/networks";

// Hot-wallet mode: a server-held BIP39 seed (BTC_HOT_SEED) derives one key per checkout at
// m/84'/coin'/0'/0/index, and a sweep moves everything received to BTC_FORWARD_ADDRESS.
// Keys stay inside closures: the wallet object serializes and inspects as its network only,
// and private key bytes come out only through signingKey(), for signing.

export class HotWalletError extends Error {
  readonly code: "invalid_seed" | "invalid_input" | "dust" | "network_mismatch";
  constructor(code: HotWalletError["code"], message: string) {
    super(message);
    this.name = "HotWalletError";
    this.code = code;
  }
}

const MAX_INDEX = 0x7fffffff;

export interface HotWallet {
  readonly network: BtcNetwork;
  /** Watch-only account key (tpub/xpub) of m/84'/coin'/0': import it into a wallet to watch, or cross-check with xpub.ts. */
  readonly accountXpub: string;
  /** P2WPKH address of m/84'/coin'/0'/0/index. */
  address(index: number): string;
  /** Compressed public key of that path. */
  publicKey(index: number): Uint8Array;
  /**
   * The 32 private key bytes of that path, for signing only. A fresh copy each call: the
   * caller should `.fill(0)` it when done. Never log, store or serialize it.
   */
  signingKey(index: number): Uint8Array;
  /**
   * The refund wallet: m/84'/coin'/0'/1/0 (the account's internal chain, so a wallet restored
   * from the seed shows its coins as change). Refunds of money are paid from it
   * (lib/rails/bitcoin/refund-payout.ts); the operator keeps it funded.
   */
  readonly refund: { address: string; publicKey: Uint8Array; signingKey(): Uint8Array };
}

function assertIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_INDEX)
    throw new HotWalletError("invalid_input", `address index must be an integer from 0 to ${MAX_INDEX}, got ${index}`);
}

/** Normalizes a mnemonic as wallets do: trimmed, lower-case, single spaces. */
function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.normalize("NFKD").trim().toLowerCase().split(/\s+/).join(" ");
}

/**
 * Builds the hot wallet from BTC_HOT_SEED (a BIP39 English mnemonic of 12–24 words, with an
 * optional BIP39 passphrase). Error messages never repeat the seed.
 */
export function hotWalletFromSeed(mnemonic: string, network: BtcNetwork, passphrase = ""): HotWallet {
  const params = networkParams(network);
  if (typeof mnemonic !== "string" || mnemonic.trim() === "")
    throw new HotWalletError("invalid_seed", "BTC_HOT_SEED is empty: set it to a BIP39 mnemonic (12–24 English words) when BTC_ADDRESS_SOURCE=hot");
  const words = normalizeMnemonic(mnemonic);
  if (!validateMnemonic(words, english)) {
    const count = words.split(" ").length;
    const unknown = words.split(" ").filter((w) => !english.includes(w)).length;
    const why = ![12, 15, 18, 21, 24].includes(count)
      ? `it has ${count} words, expected 12, 15, 18, 21 or 24`
      : unknown > 0
        ? `${unknown} word(s) are not in the BIP39 English wordlist`
        : "its checksum is wrong (a word is mistyped or out of order)";
    throw new HotWalletError("invalid_seed", `BTC_HOT_SEED is not a valid BIP39 mnemonic: ${why}`);
  }

  const root = HDKey.fromMasterSeed(mnemonicToSeedSync(words, passphrase), params.bip32);
  const account = root.derive(`m/84'/${params.coinType}'/0'`);
  root.wipePrivateData();
  const receive = account.deriveChild(0);
  const internal = account.deriveChild(1);
  const accountXpub = account.publicExtendedKey;

  const child = (index: number): HDKey => {
    assertIndex(index);
    return receive.deriveChild(index);
  };
  const publicKey = (index: number): Uint8Array => {
    const pub = child(index).publicKey;
    if (!pub) throw new Error("derived key has no public key");
    return pub;
  };

  const refundKey = (): HDKey => internal.deriveChild(0);
  const refundPub = refundKey().publicKey;
  if (!refundPub) throw new Error("derived key has no public key");
  const refundAddress = p2wpkh(refundPub, params.signer).address;
  if (!refundAddress) throw new Error("could not encode a P2WPKH address");

  const wallet: HotWallet = {
    network,
    accountXpub,
    refund: Object.freeze({
      address: refundAddress,
      publicKey: refundPub,
      signingKey: () => {
        const k = refundKey();
        const copy = Uint8Array.from(k.privateKey!);
        k.wipePrivateData();
        return copy;
      },
    }),
    address: (index) => {
      const a = p2wpkh(publicKey(index), params.signer).address;
      if (!a) throw new Error("could not encode a P2WPKH address");
      return a;
    },
    publicKey,
    signingKey: (index) => {
      const k = child(index);
      const priv = k.privateKey;
      if (!priv) throw new Error("derived key has no private key");
      const copy = Uint8Array.from(priv);
      k.wipePrivateData();
      return copy;
    },
  };
  // However it gets printed or serialized, the wallet shows its network and nothing else.
  const describe = () => `[HotWallet ${network}]`;
  Object.defineProperties(wallet, {
    toJSON: { value: () => ({ network }), enumerable: false },
    toString: { value: describe, enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: describe, enumerable: false },
  });
  return Object.freeze(wallet);
}

export interface Utxo {
  /** Transaction id in the usual (display, big-endian) hex. */
  txid: string;
  vout: number;
  value: bigint;
}

export interface SweepInput {
  wallet: HotWallet;
  /** Every UTXO of the address at `index` (all are spent). */
  utxos: Utxo[];
  index: number;
  /** BTC_FORWARD_ADDRESS. */
  toAddress: string;
  /** sat/vB, as a number or decimal string (fee estimates are fractional, e.g. 12.5). */
  feeRateSatPerVb: number | string;
  /** When given, must match the wallet's network (a guard against mixed configuration). */
  network?: BtcNetwork;
}

export interface Sweep {
  /** Fully signed raw transaction, hex. Store it before broadcasting. */
  hex: string;
  txid: string;
  /** Fee paid in sats = ⌈vsize × rate⌉ with vsize estimated for the largest possible signatures. */
  fee: bigint;
  /** Amount paid to toAddress = Σ utxos − fee. */
  amount: bigint;
  /** Virtual size used for the fee (≥ the signed transaction's actual vsize). */
  vsize: number;
}

/** Highest fee rate accepted; above it a misread estimate (BTC/kvB for sat/vB) is more likely than a real market. */
export const MAX_FEE_RATE_SAT_PER_VB = 5000;

/** Bitcoin Core's dust threshold at the default 3 sat/vB dust relay fee: 294 for P2WPKH, 330 P2TR/P2WSH, 546 P2PKH, 540 P2SH. */
export function dustThreshold(outputScript: Uint8Array): bigint {
  const outputSize = 8 + compactSizeLength(outputScript.length) + outputScript.length;
  const first = outputScript[0];
  const isWitness =
    outputScript.length >= 4 &&
    outputScript.length <= 42 &&
    (first === 0x00 || (first !== undefined && first >= 0x51 && first <= 0x60)) &&
    outputScript[1] === outputScript.length - 2;
  // Cost to spend it later: 67 vbytes for a segwit input (32+4+1+4 + 107/4), 148 for legacy.
  return BigInt((outputSize + (isWitness ? 67 : 148)) * 3);
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * Virtual size of a transaction spending `inputs` P2WPKH inputs to one output with the given
 * script, assuming low-R signatures (btc-signer grinds them: ≤ 71 bytes with the sighash byte).
 */
export function estimateP2wpkhSweepVsize(inputs: number, outputScript: Uint8Array): number {
  const base =
    4 + // version
    compactSizeLength(inputs) +
    inputs * (32 + 4 + 1 + 4) + // outpoint, empty scriptSig, sequence
    compactSizeLength(1) +
    8 +
    compactSizeLength(outputScript.length) +
    outputScript.length +
    4; // locktime
  const witness = 2 /* marker + flag */ + inputs * (1 + 1 + 71 + 1 + 33); // items, sig(+hashtype), pubkey
  return Math.ceil((base * 4 + witness) / 4);
}

const TXID = /^[0-9a-f]{64}$/;

/**
 * Signs a transaction that spends every UTXO of address `index` to a single output at
 * `toAddress`, paying ⌈vsize × feeRate⌉. Refuses when what is left would be dust. The result
 * is deterministic for the same inputs (RFC 6979 signatures), so rebuilding it after a crash
 * yields the same txid and a re-broadcast cannot double-spend.
 */
export function buildSweep({ wallet, utxos, index, toAddress, feeRateSatPerVb, network }: SweepInput): Sweep {
  if (network !== undefined && network !== wallet.network)
    throw new HotWalletError("network_mismatch", `sweep for ${network} asked of a ${wallet.network} hot wallet: check BTC_NETWORK`);
  const net = networkParams(wallet.network);
  assertIndex(index);
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
    const key = `${u.txid.toLowerCase()}:${u.vout}`;
    if (seen.has(key)) throw new HotWalletError("invalid_input", `UTXO ${key} is listed twice`);
    seen.add(key);
    total += u.value;
  }

  const rate = parseFeeRate(feeRateSatPerVb);
  let outScript: Uint8Array;
  try {
    outScript = addressOutputScript(toAddress, wallet.network, "forward address");
  } catch (e) {
    throw new HotWalletError("invalid_input", `${(e as Error).message}: check BTC_FORWARD_ADDRESS and BTC_NETWORK`);
  }

  const vsize = estimateP2wpkhSweepVsize(utxos.length, outScript);
  const fee = (BigInt(vsize) * rate.num + rate.den - 1n) / rate.den; // ⌈vsize × rate⌉
  const amount = total - fee;
  const dust = dustThreshold(outScript);
  if (amount < dust)
    throw new HotWalletError(
      "dust",
      `sweep would leave ${amount} sats after a ${fee} sat fee (${total} sats in ${utxos.length} UTXO(s) at ${feeRateSatPerVb} sat/vB), below the ${dust} sat dust limit: wait for lower fees`,
    );

  const pub = wallet.publicKey(index);
  const spent = p2wpkh(pub, net.signer);
  const tx = new Transaction({ lowR: true });
  for (const u of utxos) {
    tx.addInput({
      txid: u.txid.toLowerCase(),
      index: u.vout,
      witnessUtxo: { script: spent.script, amount: u.value },
      sequence: 0xfffffffd, // opt-in RBF, so a stuck sweep can be fee-bumped deliberately
    });
  }
  tx.addOutput({ script: outScript, amount });

  const key = wallet.signingKey(index);
  try {
    const signed = tx.sign(key);
    if (signed !== utxos.length) throw new Error(`signed ${signed} of ${utxos.length} inputs`);
  } finally {
    key.fill(0);
  }
  tx.finalize();
  if (tx.vsize > vsize) throw new Error(`signed sweep is ${tx.vsize} vB, larger than the ${vsize} vB its fee was computed for`);
  return { hex: tx.hex, txid: tx.id, fee, amount, vsize };
}

export function parseFeeRate(value: number | string): { num: bigint; den: bigint } {
  const text = typeof value === "number" ? (Number.isFinite(value) ? value.toFixed(6) : "NaN") : value;
  let r;
  try {
    r = parseDecimal(text, "fee rate");
  } catch {
    throw new HotWalletError("invalid_input", `fee rate must be a positive number of sat/vB, got ${String(value)}`);
  }
  if (r.num === 0n) throw new HotWalletError("invalid_input", "fee rate must be greater than 0 sat/vB");
  if (r.num > BigInt(MAX_FEE_RATE_SAT_PER_VB) * r.den)
    throw new HotWalletError(
      "invalid_input",
      `fee rate ${String(value)} sat/vB is above ${MAX_FEE_RATE_SAT_PER_VB} sat/vB: refusing (is the estimate in sat/vB?)`,
    );
  return r;
}
