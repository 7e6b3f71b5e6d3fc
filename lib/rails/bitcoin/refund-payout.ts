import "server-only";
import { p2wpkh, Transaction } from "@scure/btc-signer";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { type ChainBackend, chainClient } from "./client";
import { bitcoinSettings } from "./config";
import { pickFeeRate } from "./forward";
import { dustThreshold, type HotWallet, MAX_FEE_RATE_SAT_PER_VB } from "./hot-wallet";
import { addressOutputScript, type BtcNetwork, isValidAddress, networkParams } from "./networks";

// Paying a Bitcoin refund (a claimed pull payment) from the hot wallet's refund address
// (HotWallet.refund: m/84'/coin'/0'/1/0). The order is forwarding's (forward.ts), for the
// same reason — a crash at any point is harmless:
//   1. build and sign the payout, and STORE it on the refund row (hex, txid, inputs) by
//      compare-and-set claimed → signed, under a lock that also keeps two payouts from picking
//      the same coins;
//   2. broadcast the stored hex ("already known" counts as success), then signed → broadcast;
//   3. once the txid confirms, broadcast → confirmed.
// Every later run re-sends the stored hex; a refund that has a stored payout never gets a
// second one signed. The buyer's address receives exactly amount − feeSats, the fee the claim
// page showed before they confirmed; what the transaction really pays in fee comes out of the
// change (networkFeeSats records it).

export type PayoutChain = Pick<ChainBackend, "addressUtxos" | "broadcast" | "txStatus">;

/** Arbitrary but fixed: the advisory lock of coin selection for payouts ("satchel-refund-payout"). */
export const PAYOUT_LOCK_KEY = 0x5a7c4f1;

export type PayoutOutcome =
  | { outcome: "not_applicable"; reason: string }
  | { outcome: "insufficient_funds"; message: string; available: string; needed: string }
  | { outcome: "broadcast"; txid: string; payoutSats: string; networkFeeSats: string }
  | { outcome: "confirmed"; txid: string; payoutSats: string; networkFeeSats: string };

/** Where the hot wallet pays refunds from, or null when the server holds no keys (watch-only). */
export function refundWalletAddress(): string | null {
  const s = bitcoinSettings();
  return s.source === "hot" && s.hot ? s.hot.refund.address : null;
}

/** Virtual size of a payout spending `inputs` P2WPKH inputs to these output scripts (low-R signatures). */
export function payoutVsize(inputs: number, outputs: Uint8Array[]): number {
  const cs = (n: number) => (n < 0xfd ? 1 : n <= 0xffff ? 3 : 5);
  const base = 4 + cs(inputs) + inputs * 41 + cs(outputs.length) + outputs.reduce((n, s) => n + 8 + cs(s.length) + s.length, 0) + 4;
  const witness = 2 + inputs * (1 + 1 + 71 + 1 + 33);
  return Math.ceil((base * 4 + witness) / 4);
}

const ceilFee = (vsize: number, rate: string) => {
  const [whole, frac = ""] = rate.split(".");
  const den = 10n ** BigInt(frac.length);
  const num = BigInt(whole!) * den + BigInt(frac || "0");
  return (BigInt(vsize) * num + den - 1n) / den;
};

export interface PayoutQuote {
  address: string;
  feeRate: string;
  /** Deducted from the refund: a one-input payout with change at feeRate. */
  feeSats: bigint;
  /** What the address receives. */
  payoutSats: bigint;
}

/**
 * The fee a refund of `amount` sats to `address` costs at the backend's current estimate
 * (BTC_REFUND_FEE_TARGET blocks), shown to the buyer before they confirm. Throws a 4xx
 * AppError for an address of another network, or when what is left would be dust.
 */
export async function quotePayout(
  amount: bigint,
  rawAddress: string,
  opts: { chain?: Pick<ChainBackend, "feeEstimates">; network?: BtcNetwork } = {},
): Promise<PayoutQuote> {
  const network = opts.network ?? bitcoinSettings().network;
  const address = rawAddress.trim();
  if (!address || !isValidAddress(address, network))
    throw new AppError("validation_failed", `That is not a valid ${networkLabel(network)} Bitcoin address.`, { address: ["invalid_address"] });
  const script = addressOutputScript(address, network);
  const chain = opts.chain ?? (await chainClient());
  const feeRate = pickFeeRate(await chain.feeEstimates(), env().BTC_REFUND_FEE_TARGET);
  if (Number(feeRate) > MAX_FEE_RATE_SAT_PER_VB) throw new AppError("unavailable", "The network's fee estimate is implausibly high; try again later.");
  const change = p2wpkh(new Uint8Array(33).fill(2)).script; // a P2WPKH change output's size
  const feeSats = ceilFee(payoutVsize(1, [script, change]), feeRate);
  const payoutSats = amount - feeSats;
  if (payoutSats < dustThreshold(script))
    throw new AppError("conflict", `This refund (${amount} sats) is too small to send at today's network fee (${feeSats} sats).`, { amount: ["below_fee"] });
  return { address, feeRate, feeSats, payoutSats };
}

function networkLabel(n: BtcNetwork): string {
  return n === "mainnet" ? "Bitcoin" : n;
}

/**
 * Pays a claimed refund from the hot wallet, or re-sends the payout already stored for it, or
 * notices that it confirmed. Safe to run any number of times, concurrently, in any process.
 */
export async function payRefundFromHotWallet(refundId: string, opts: { chain?: PayoutChain; now?: Date } = {}): Promise<PayoutOutcome> {
  const settings = bitcoinSettings();
  const hot = settings.source === "hot" ? settings.hot : null;
  let r = await db.refund.findUnique({ where: { id: refundId } });
  if (!r) throw new AppError("not_found", "No such refund.");
  if (r.method !== "bitcoin_hot") return { outcome: "not_applicable", reason: "not paid from the hot wallet" };
  const chain: PayoutChain = opts.chain ?? (await chainClient());
  const now = opts.now ?? new Date();

  if (r.status === "claimed") {
    if (!hot) return { outcome: "not_applicable", reason: "this server holds no hot wallet (BTC_ADDRESS_SOURCE is not hot)" };
    // The coins: confirmed outputs of the refund address. Read before the lock (a chain call);
    // the lock then removes those a stored, unconfirmed payout already spends.
    const utxos = (await chain.addressUtxos(hot.refund.address)).filter((u) => u.blockHeight !== null);
    const signed = await db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PAYOUT_LOCK_KEY}::bigint)`;
        const fresh = await tx.refund.findUniqueOrThrow({ where: { id: refundId } });
        if (fresh.status !== "claimed") return { kind: "stored" as const };
        const pending = await tx.refund.findMany({ where: { status: { in: ["signed", "broadcast"] } }, select: { inputs: true } });
        const taken = new Set(pending.flatMap((p) => p.inputs));
        const free = utxos.filter((u) => !taken.has(`${u.txid}:${u.vout}`));
        const built = buildPayout(hot, settings.network, free, fresh.address!, fresh.payoutSats!, fresh.feeRate!);
        if (built.kind === "short") {
          await tx.refund.update({ where: { id: refundId }, data: { error: built.message, attempts: { increment: 1 } } });
          return built;
        }
        const { count } = await tx.refund.updateMany({
          where: { id: refundId, status: "claimed", version: fresh.version },
          data: {
            status: "signed",
            txid: built.txid,
            hex: built.hex,
            inputs: built.inputs,
            networkFeeSats: built.fee,
            signedAt: now,
            error: null,
            version: { increment: 1 },
          },
        });
        return count === 1 ? { kind: "signed" as const } : { kind: "stored" as const };
      },
      { maxWait: 15_000, timeout: 30_000 },
    );
    if (signed.kind === "short")
      return { outcome: "insufficient_funds", message: signed.message, available: signed.available.toString(), needed: signed.needed.toString() };
    r = await db.refund.findUniqueOrThrow({ where: { id: refundId } });
  }
  return sendStored(r, chain, now);
}

/** Re-sends a stored payout unless the network has it, and notices its confirmation. */
async function sendStored(
  r: {
    id: string;
    status: string;
    txid: string | null;
    hex: string | null;
    broadcastAt: Date | null;
    payoutSats: bigint | null;
    networkFeeSats: bigint | null;
  },
  chain: PayoutChain,
  now: Date,
): Promise<PayoutOutcome> {
  if (!r.txid || !r.hex) return { outcome: "not_applicable", reason: `the refund is ${r.status}` };
  const result = { txid: r.txid, payoutSats: String(r.payoutSats ?? 0n), networkFeeSats: String(r.networkFeeSats ?? 0n) };
  if (r.status === "confirmed") return { outcome: "confirmed", ...result };
  const known = r.broadcastAt ? await chain.txStatus(r.txid) : null;
  if (!known) {
    try {
      await chain.broadcast(r.hex);
    } catch (err) {
      await db.refund.update({
        where: { id: r.id },
        data: { attempts: { increment: 1 }, error: (err instanceof Error ? err.message : String(err)).slice(0, 1000) },
      });
      throw err;
    }
    await db.refund.updateMany({
      where: { id: r.id, status: "signed" },
      data: { status: "broadcast", broadcastAt: now, attempts: { increment: 1 }, error: null, version: { increment: 1 } },
    });
  }
  const status = known ?? (await chain.txStatus(r.txid));
  if (!status?.confirmed) return { outcome: "broadcast", ...result };
  await db.refund.updateMany({ where: { id: r.id, status: "broadcast" }, data: { status: "confirmed", confirmedAt: now, version: { increment: 1 } } });
  return { outcome: "confirmed", ...result };
}

/** Confirms a payout the admin sent from their own wallet (watch-only) once the chain shows it. */
export async function checkRecordedPayout(refundId: string, opts: { chain?: PayoutChain; now?: Date } = {}): Promise<"confirmed" | "waiting"> {
  const r = await db.refund.findUniqueOrThrow({ where: { id: refundId }, select: { id: true, status: true, txid: true } });
  if (r.status === "confirmed") return "confirmed";
  if (r.status !== "broadcast" || !r.txid) return "waiting";
  const status = await (opts.chain ?? (await chainClient())).txStatus(r.txid);
  if (!status?.confirmed) return "waiting";
  const { count } = await db.refund.updateMany({
    where: { id: r.id, status: "broadcast" },
    data: { status: "confirmed", confirmedAt: opts.now ?? new Date(), version: { increment: 1 } },
  });
  return count === 1 ? "confirmed" : "waiting";
}

type Built =
  | { kind: "built"; hex: string; txid: string; fee: bigint; inputs: string[] }
  | { kind: "short"; message: string; available: bigint; needed: bigint };

/**
 * Signs a payout of exactly `payoutSats` to `toAddress` from the refund address's coins
 * (largest first), change back to the refund address; change below dust goes to the fee.
 */
export function buildPayout(
  wallet: HotWallet,
  network: BtcNetwork,
  utxos: { txid: string; vout: number; value: bigint }[],
  toAddress: string,
  payoutSats: bigint,
  feeRate: string,
): Built {
  const dest = addressOutputScript(toAddress, network, "refund address");
  const own = p2wpkh(wallet.refund.publicKey, networkParams(network).signer);
  const sorted = [...utxos].sort((a, b) => (a.value === b.value ? 0 : a.value > b.value ? -1 : 1));
  const chosen: typeof utxos = [];
  let total = 0n;
  for (const u of sorted) {
    chosen.push(u);
    total += u.value;
    if (total >= payoutSats + ceilFee(payoutVsize(chosen.length, [dest, own.script]), feeRate)) break;
  }
  const withChangeFee = ceilFee(payoutVsize(chosen.length, [dest, own.script]), feeRate);
  const noChangeFee = ceilFee(payoutVsize(chosen.length, [dest]), feeRate);
  if (total < payoutSats + noChangeFee) {
    const all = utxos.reduce((n, u) => n + u.value, 0n);
    const needed = payoutSats + ceilFee(payoutVsize(Math.max(1, utxos.length), [dest, own.script]), feeRate);
    return {
      kind: "short",
      available: all,
      needed,
      message: `the refund wallet ${wallet.refund.address} holds ${all} confirmed sats; this payout needs about ${needed}: send funds to it`,
    };
  }
  const change = total - payoutSats - withChangeFee;
  const tx = new Transaction({ lowR: true });
  for (const u of chosen)
    tx.addInput({ txid: u.txid.toLowerCase(), index: u.vout, witnessUtxo: { script: own.script, amount: u.value }, sequence: 0xfffffffd });
  tx.addOutput({ script: dest, amount: payoutSats });
  if (change >= dustThreshold(own.script)) tx.addOutput({ script: own.script, amount: change });
  const key = wallet.refund.signingKey();
  try {
    const n = tx.sign(key);
    if (n !== chosen.length) throw new Error(`signed ${n} of ${chosen.length} inputs`);
  } finally {
    key.fill(0);
  }
  tx.finalize();
  const paidOut = change >= dustThreshold(own.script) ? payoutSats + change : payoutSats;
  return { kind: "built", hex: tx.hex, txid: tx.id, fee: total - paidOut, inputs: chosen.map((u) => `${u.txid}:${u.vout}`) };
}
