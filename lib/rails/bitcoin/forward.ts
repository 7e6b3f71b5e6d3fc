import "server-only";
import { db } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { AfterCreditResult, CheckoutSnapshot, Fact } from "@/lib/rails/types";
import { type ChainBackend, chainClient, type FeeEstimates } from "./client";
import { bitcoinSettings } from "./config";
import { buildSweep, HotWalletError } from "./hot-wallet";

// Forwarding (BTC_ADDRESS_SOURCE=hot): after crediting, sweep every UTXO of the checkout's
// address to BTC_FORWARD_ADDRESS. The order makes a crash harmless at any point:
//   1. build and sign the sweep, and STORE it (hex + txid) — one row per checkout and seq, unique;
//   2. broadcast the stored hex ("already known" counts as success);
//   3. watch the txid; once confirmed, say so (a "forwarded" fact: the core moves the
//      checkout credited → forwarded by compare-and-set).
// Every later run re-broadcasts the stored hex; once a sweep is stored no other spend of
// those outputs is ever built, so there is never a second, different transaction. Money paid
// to the address after crediting (a wallet re-using it) is swept by a later sweep (seq 1, 2…)
// of the confirmed outputs no earlier sweep spent, once the previous sweep confirmed.

/** The chain calls forwarding needs (the chain backend; tests wrap it to inject crashes). */
export type ForwardChain = Pick<ChainBackend, "addressUtxos" | "feeEstimates" | "broadcast" | "txStatus">;

export type ForwardOutcome =
  | { outcome: "not_applicable"; reason: string }
  | { outcome: "already_forwarded"; txid: string | null }
  | { outcome: "not_credited"; status: string }
  | { outcome: "nothing_to_sweep" }
  | { outcome: "refused_dust"; message: string }
  /** Broadcast (or known to the network); waiting for a confirmation. */
  | { outcome: "broadcast"; txid: string; feeSats: string; amountSats: string; seq: number }
  | { outcome: "forwarded"; txid: string; feeSats: string; amountSats: string; seq: number }
  /** A later sweep (money paid after crediting) confirmed. */
  | { outcome: "late_forwarded"; txid: string; feeSats: string; amountSats: string; seq: number };

/** Confirmations after which a sweep counts as done. */
export const FORWARD_CONFIRMATIONS = 1;

export async function forwardCheckout(
  checkout: Pick<CheckoutSnapshot, "id" | "status">,
  opts: { chain?: ForwardChain; now?: Date } = {},
): Promise<ForwardOutcome> {
  const settings = bitcoinSettings();
  const checkoutId = checkout.id;
  const c = await db.checkout.findUnique({
    where: { id: checkoutId },
    select: { id: true, rail: true, status: true, address: true, derivationIndex: true, sweeps: { orderBy: { seq: "asc" } } },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (c.rail !== "btc") return { outcome: "not_applicable", reason: "not a Bitcoin checkout" };
  const first = c.sweeps[0] ?? null;
  const hot = settings.source === "hot" && settings.hot && settings.forwardAddress ? { wallet: settings.hot, to: settings.forwardAddress } : null;
  if (c.status === "forwarded" && !hot) return { outcome: "already_forwarded", txid: first?.txid ?? null };
  if (!hot) return { outcome: "not_applicable", reason: "not in hot-wallet mode" };
  if (c.address === null || c.derivationIndex === null) return { outcome: "not_applicable", reason: "no derived address" };
  // Another wallet's address (another server's seed on this database, or a source changed from xpub): never sign for it.
  if (hot.wallet.address(c.derivationIndex) !== c.address) return { outcome: "not_applicable", reason: "the address was not derived by this hot wallet" };
  if (c.status !== "credited" && c.status !== "forwarded") return { outcome: "not_credited", status: c.status };
  const chain: ForwardChain = opts.chain ?? (await chainClient());
  const now = opts.now ?? new Date();

  // The first sweep confirmed but the checkout did not move yet (a crash in between): say so again.
  if (c.status === "credited" && first?.confirmedAt) return { outcome: "forwarded", ...sweepResult(first) };
  // A stored sweep not yet confirmed is the only one ever re-sent; otherwise, after crediting
  // the first sweep takes everything at the address, and after it a later sweep takes the
  // confirmed outputs no earlier sweep spent (money paid after crediting).
  let sweep = c.sweeps.find((s) => !s.confirmedAt) ?? null;
  if (!sweep) {
    const spent = new Set(c.sweeps.flatMap((s) => s.inputs));
    const later = c.sweeps.length > 0;
    const utxos = (await chain.addressUtxos(c.address)).filter((u) => !later || (u.blockHeight !== null && !spent.has(`${u.txid}:${u.vout}`)));
    if (utxos.length === 0) return c.status === "forwarded" ? { outcome: "already_forwarded", txid: first?.txid ?? null } : { outcome: "nothing_to_sweep" };
    const feeRate = pickFeeRate(await chain.feeEstimates(), env().BTC_FORWARD_FEE_TARGET);
    let built;
    try {
      built = buildSweep({
        wallet: hot.wallet,
        utxos: utxos.map((u) => ({ txid: u.txid, vout: u.vout, value: u.value })),
        index: c.derivationIndex,
        toAddress: hot.to,
        feeRateSatPerVb: feeRate,
        network: settings.network,
      });
    } catch (err) {
      if (err instanceof HotWalletError && err.code === "dust") return { outcome: "refused_dust", message: err.message };
      throw err;
    }
    const seq = c.sweeps.length;
    try {
      sweep = await db.sweepTransaction.create({
        data: {
          checkoutId,
          seq,
          txid: built.txid,
          hex: built.hex,
          inputs: utxos.map((u) => `${u.txid}:${u.vout}`),
          feeSats: built.fee,
          amountSats: built.amount,
          feeRate,
          toAddress: hot.to,
        },
      });
    } catch (err) {
      // A twin stored this sweep first: use that one, never ours.
      if (!isUniqueViolation(err)) throw err;
      sweep = await db.sweepTransaction.findUniqueOrThrow({ where: { checkoutId_seq: { checkoutId, seq } } });
    }
  }

  const result = sweepResult(sweep);
  // Broadcast the stored transaction unless the network is known to have it.
  const known = sweep.broadcastAt ? await chain.txStatus(sweep.txid) : null;
  if (!known) {
    try {
      await chain.broadcast(sweep.hex);
    } catch (err) {
      await db.sweepTransaction.update({
        where: { id: sweep.id },
        data: { attempts: { increment: 1 }, error: (err instanceof Error ? err.message : String(err)).slice(0, 1000) },
      });
      throw err;
    }
    await db.sweepTransaction.update({ where: { id: sweep.id }, data: { broadcastAt: sweep.broadcastAt ?? now, attempts: { increment: 1 }, error: null } });
  }
  const status = known ?? (await chain.txStatus(sweep.txid));
  if (!status?.confirmed) return { outcome: "broadcast", ...result };

  // Confirmed: the core moves credited → forwarded, once (a later sweep is a timeline note).
  await db.sweepTransaction.updateMany({ where: { id: sweep.id, confirmedAt: null }, data: { confirmedAt: now } });
  return sweep.seq === 0 ? { outcome: "forwarded", ...result } : { outcome: "late_forwarded", ...result };
}

function sweepResult(s: { txid: string; feeSats: bigint; amountSats: bigint; seq: number }) {
  return { txid: s.txid, feeSats: s.feeSats.toString(), amountSats: s.amountSats.toString(), seq: s.seq };
}

/** The Rail.afterCredit answer: what happened, whether to look again, and the facts for the core. */
export async function forwardAfterCredit(
  checkout: Pick<CheckoutSnapshot, "id" | "status">,
  now: Date,
  opts: { chain?: ForwardChain } = {},
): Promise<AfterCreditResult> {
  const r = await forwardCheckout(checkout, { ...opts, now });
  const facts: Fact[] = [];
  if (r.outcome === "forwarded")
    facts.push({
      kind: "forwarded",
      message: `${r.amountSats} sats forwarded to ${bitcoinSettings().forwardAddress} in ${r.txid.slice(0, 12)}… (fee ${r.feeSats} sats)`,
      data: { txid: r.txid, amountSats: r.amountSats, feeSats: r.feeSats },
    });
  if (r.outcome === "late_forwarded")
    facts.push({
      kind: "note",
      message: `${r.amountSats} sats paid after crediting forwarded to ${bitcoinSettings().forwardAddress} in ${r.txid.slice(0, 12)}… (fee ${r.feeSats} sats)`,
      data: { txid: r.txid, amountSats: r.amountSats, feeSats: r.feeSats, seq: r.seq },
    });
  if (r.outcome === "refused_dust") facts.push({ kind: "attention", reason: `forwarding refused: ${r.message}` });
  const { outcome, ...detail } = r;
  return { outcome, again: outcome === "broadcast", facts, detail: detail as Record<string, string | number | null> };
}

/**
 * The fee rate for `target` blocks from the backend's estimates: the exact target if present,
 * else the nearest faster one (higher fee, so it still confirms in time), else the slowest
 * known. At least 1 sat/vB (the default minimum relay fee). A decimal string for storage.
 */
export function pickFeeRate(estimates: FeeEstimates, target: number): string {
  const targets = Object.keys(estimates)
    .map(Number)
    .filter((n) => Number.isInteger(n))
    .sort((a, b) => a - b);
  if (targets.length === 0) throw new AppError("unavailable", "The chain backend returned no fee estimates.");
  const chosen = targets.includes(target) ? target : ([...targets].reverse().find((t) => t < target) ?? targets[0]!);
  const rate = Math.max(1, estimates[String(chosen)] ?? 1);
  return (Math.ceil(rate * 1000) / 1000).toString();
}
