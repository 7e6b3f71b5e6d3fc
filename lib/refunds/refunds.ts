import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sendAccountEmail } from "@/lib/account/mail";
import { compareAndSet } from "@/lib/checkouts/transition";
import { db, type Prisma } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { LostRace } from "@/lib/db/retry";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import {
  checkRecordedPayout,
  type PayoutChain,
  type PayoutOutcome,
  payRefundFromHotWallet,
  quotePayout,
  refundWalletAddress,
} from "@/lib/rails/bitcoin/refund-payout";

// Refunds of money: giving back sats or shillings (not taking credits away; that is the
// ledger's "Refund credits"). One Refund row per refund of a checkout, in the checkout's rail
// unit. The rules every path keeps:
//   - never more than the checkout received minus what its refunds already give back: the
//     sum is read and the refund written under the checkout's compare-and-set (its version),
//     so two admins at once cannot both pass the check (the loser re-reads and is refused);
//   - every status change is a compare-and-set on the refund's own status, and a note on the
//     checkout's timeline; the admin's actions are also in the audit log (lib/admin/refunds.ts);
//   - Bitcoin refunds are pull payments: the buyer gets a claim link (32 random bytes, only
//     the SHA-256 stored), enters an address valid for BTC_NETWORK and sees the fee before
//     confirming. Hot mode then pays from the hot wallet's refund address (store, then
//     broadcast: lib/rails/bitcoin/refund-payout.ts); watch-only mode leaves it to the admin,
//     who pays from their wallet and records the txid;
//   - M-Pesa, NEO Bank and Interledger refunds are made outside Satchel and recorded with
//     their reference.

type Tx = Prisma.TransactionClient;

export type RefundStatus = "awaiting_claim" | "claimed" | "signed" | "broadcast" | "confirmed" | "recorded";
export type RefundMethod = "bitcoin_hot" | "bitcoin_manual" | "external";

/** Refunds that give money back (all of them: a refund is never cancelled once created). */
const COUNTED: RefundStatus[] = ["awaiting_claim", "claimed", "signed", "broadcast", "confirmed", "recorded"];

const hashClaimToken = (raw: string) => createHash("sha256").update(raw, "utf8").digest("hex");
const CLAIM_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function claimLink(token: string): string {
  return new URL(`/refund/${token}`, env().APP_URL).toString();
}

/** What the checkout received minus what its refunds give back, in its rail unit. */
export async function refundableInTx(tx: Tx, checkoutId: string): Promise<{ received: bigint; refunded: bigint; left: bigint; unit: string }> {
  const c = await tx.checkout.findUnique({ where: { id: checkoutId }, select: { receivedAmount: true, amountUnit: true } });
  if (!c) throw new AppError("not_found", "No such checkout.");
  const sum = await tx.refund.aggregate({ where: { checkoutId, status: { in: COUNTED } }, _sum: { amount: true } });
  const refunded = sum._sum.amount ?? 0n;
  return { received: c.receivedAmount, refunded, left: c.receivedAmount - refunded, unit: c.amountUnit };
}

/**
 * An amount an admin typed, in rail units (sats, KES) or — for Bitcoin — in the price's
 * currency minor units, converted at the checkout's locked rate: ⌊minor × expected / price⌋.
 */
export function toRailUnits(c: { expectedAmount: bigint; priceMinor: number }, amount: bigint, unit: "rail" | "price"): bigint {
  if (unit === "rail") return amount;
  if (c.priceMinor <= 0) throw new AppError("validation_failed", "This checkout has no price to convert from; enter the amount in its rail unit.");
  return (amount * c.expectedAmount) / BigInt(c.priceMinor);
}

export interface CreateRefundInput {
  amount: bigint;
  reason: string;
  /** External refunds (M-Pesa, NEO Bank, Interledger): the provider's reference of the refund made outside Satchel. */
  externalRef?: string;
  actorId: string;
  auditId: string;
}

export interface CreatedRefund {
  refundId: string;
  method: RefundMethod;
  status: RefundStatus;
  amount: bigint;
  unit: string;
  /** Bitcoin only: the raw claim token, for the link (never stored). */
  claimToken: string | null;
  left: bigint;
}

/**
 * Creates a refund inside the caller's transaction (lib/admin wraps it with the audit row).
 * Throws a 4xx AppError for a bad amount; LostRace when another writer changed the checkout
 * between the read and the compare-and-set (the caller retries and re-reads the limit).
 */
export async function createRefundInTx(tx: Tx, checkoutId: string, input: CreateRefundInput, now = new Date()): Promise<CreatedRefund> {
  const c = await tx.checkout.findUnique({
    where: { id: checkoutId },
    select: { id: true, version: true, rail: true, status: true, exception: true, amountUnit: true, receivedAmount: true },
  });
  if (!c) throw new AppError("not_found", "No such checkout.");
  if (input.amount <= 0n) throw new AppError("validation_failed", "Enter an amount greater than zero.", { amount: ["positive"] });
  const { left, refunded } = await refundableInTx(tx, checkoutId);
  if (input.amount > left)
    throw new AppError(
      "conflict",
      `Cannot refund ${input.amount} ${c.amountUnit}: the checkout received ${c.receivedAmount} and ${refunded} ${refunded === 0n ? "has not been refunded yet" : "is already refunded"}, so at most ${left < 0n ? 0n : left} can go back.`,
      { amount: ["above_received"] },
    );
  const btc = c.rail === "btc";
  const method: RefundMethod = btc ? (bitcoinSettings().source === "hot" ? "bitcoin_hot" : "bitcoin_manual") : "external";
  const externalRef = input.externalRef?.trim() ?? "";
  if (!btc && (externalRef.length < 2 || externalRef.length > 200))
    throw new AppError("validation_failed", "Enter the provider's reference of the refund you made (2–200 characters).", { externalRef: ["required"] });
  const token = btc ? randomBytes(32).toString("base64url") : null;
  const status: RefundStatus = btc ? "awaiting_claim" : "recorded";
  const refund = await tx.refund.create({
    data: {
      checkoutId,
      rail: c.rail,
      method,
      status,
      amount: input.amount,
      unit: c.amountUnit,
      reason: input.reason,
      claimTokenHash: token ? hashClaimToken(token) : null,
      inputs: [],
      externalRef: btc ? null : externalRef,
      recordedAt: btc ? null : now,
      createdById: input.actorId,
      auditId: input.auditId,
    },
    select: { id: true },
  });
  const message = btc
    ? `refund of ${input.amount} ${c.amountUnit} created by an admin: the buyer was sent a claim link (${method === "bitcoin_hot" ? "the hot wallet pays it" : "an admin pays it and records the txid"}) — ${input.reason}`
    : `refund of ${input.amount} ${c.amountUnit} recorded by an admin, paid outside Satchel (reference ${externalRef}) — ${input.reason}`;
  // The checkout's version guards the limit: a twin creating a refund at the same time bumps it.
  const won = await compareAndSet(tx, c, {}, [
    {
      fromStatus: c.status,
      toStatus: c.status,
      exception: c.exception,
      cause: "admin",
      message,
      data: { refundId: refund.id, auditId: input.auditId, amount: input.amount.toString(), unit: c.amountUnit, method, status },
    },
  ]);
  if (!won) throw new LostRace();
  return { refundId: refund.id, method, status, amount: input.amount, unit: c.amountUnit, claimToken: token, left: left - input.amount };
}

/** Emails the buyer their claim link (in their language), once per refund. */
export async function sendClaimEmail(refundId: string, token: string): Promise<void> {
  const r = await db.refund.findUniqueOrThrow({
    where: { id: refundId },
    select: { amount: true, unit: true, checkout: { select: { packageName: true, user: { select: { email: true, name: true, locale: true } } } } },
  });
  const u = r.checkout.user;
  await sendAccountEmail({
    dedupKey: `refund:${refundId}:claim`,
    to: u.email,
    locale: u.locale ?? "en",
    kind: "refundClaim",
    name: u.name,
    link: claimLink(token),
    values: { amount: r.amount.toString(), unit: r.unit, packageName: r.checkout.packageName },
  });
}

/** A timeline note on the refund's checkout (no status change). */
async function note(tx: Tx | typeof db, refundId: string, cause: "buyer" | "chain" | "admin" | "system", message: string, data: Prisma.InputJsonObject) {
  const r = await tx.refund.findUniqueOrThrow({
    where: { id: refundId },
    select: { checkoutId: true, checkout: { select: { status: true, exception: true } } },
  });
  await tx.checkoutEvent.create({
    data: {
      checkoutId: r.checkoutId,
      fromStatus: r.checkout.status,
      toStatus: r.checkout.status,
      exception: r.checkout.exception,
      cause,
      message,
      data: { refundId, ...data },
    },
  });
}

async function systemAudit(tx: Tx | typeof db, refundId: string, action: string, data: Prisma.InputJsonObject) {
  const r = await tx.refund.findUniqueOrThrow({ where: { id: refundId }, select: { checkoutId: true } });
  await tx.auditLog.create({ data: { actorId: null, action, targetType: "checkout", targetId: r.checkoutId, data: { refundId, ...data } } });
}

// ── The buyer's claim ──

export interface ClaimView {
  refundId: string;
  status: RefundStatus;
  amount: bigint;
  unit: string;
  packageName: string;
  address: string | null;
  feeSats: bigint | null;
  payoutSats: bigint | null;
  txid: string | null;
  network: string;
  /** Hot mode pays at once; otherwise an admin sends it. */
  paidBy: "hot_wallet" | "admin";
}

async function byToken(raw: unknown) {
  if (typeof raw !== "string" || !CLAIM_TOKEN.test(raw)) return null;
  return db.refund.findUnique({ where: { claimTokenHash: hashClaimToken(raw) }, include: { checkout: { select: { packageName: true } } } });
}

/** The claim page's data, or null for an unknown link (the page answers 404). */
export async function claimView(token: unknown): Promise<ClaimView | null> {
  const r = await byToken(token);
  if (!r) return null;
  return {
    refundId: r.id,
    status: r.status as RefundStatus,
    amount: r.amount,
    unit: r.unit,
    packageName: r.checkout.packageName,
    address: r.address,
    feeSats: r.feeSats,
    payoutSats: r.payoutSats,
    txid: r.txid,
    network: bitcoinSettings().network,
    paidBy: r.method === "bitcoin_hot" ? "hot_wallet" : "admin",
  };
}

/** Step 1 of a claim: the address checked for the network, and the fee it will cost (nothing stored). */
export async function quoteClaim(token: unknown, address: string) {
  const r = await byToken(token);
  if (!r) throw new AppError("not_found", "This refund link is not valid.");
  if (r.status !== "awaiting_claim") throw new AppError("conflict", "This refund was already claimed.");
  return quotePayout(r.amount, address);
}

/**
 * Step 2: the buyer confirmed the address and the fee they were shown. Stored by
 * compare-and-set awaiting_claim → claimed (a second submit, another tab, finds it claimed);
 * a fee that rose since the quote is refused, so the buyer never gets less than they saw.
 * In hot mode the payout follows at once (and the background sweep retries it).
 */
export async function claimRefund(
  token: unknown,
  address: string,
  shownFeeSats: bigint,
  opts: { now?: Date /** false: leave the payout to the background sweep. */; payNow?: boolean } = {},
): Promise<ClaimView> {
  const now = opts.now ?? new Date();
  const r = await byToken(token);
  if (!r) throw new AppError("not_found", "This refund link is not valid.");
  if (r.status === "awaiting_claim") {
    const q = await quotePayout(r.amount, address);
    if (q.feeSats > shownFeeSats)
      throw new AppError("conflict", `The network fee rose to ${q.feeSats} sats since you looked; check the new amount and confirm again.`, {
        fee: ["changed"],
      });
    const claimed = await db.$transaction(async (tx) => {
      const { count } = await tx.refund.updateMany({
        where: { id: r.id, status: "awaiting_claim" },
        data: {
          status: "claimed",
          address: q.address,
          feeRate: q.feeRate,
          feeSats: q.feeSats,
          payoutSats: q.payoutSats,
          claimedAt: now,
          version: { increment: 1 },
        },
      });
      if (count === 0) return false;
      await note(
        tx,
        r.id,
        "buyer",
        `refund claimed by the buyer: ${q.payoutSats} sats to ${q.address} (${r.amount} − ${q.feeSats} sats network fee at ${q.feeRate} sat/vB)`,
        {
          address: q.address,
          feeSats: q.feeSats.toString(),
          payoutSats: q.payoutSats.toString(),
        },
      );
      await systemAudit(tx, r.id, "refund.claim", { address: q.address, feeSats: q.feeSats.toString(), payoutSats: q.payoutSats.toString() });
      return true;
    });
    if (!claimed) throw new AppError("conflict", "This refund was already claimed.");
  }
  if (r.method === "bitcoin_hot" && opts.payNow !== false)
    await advanceRefund(r.id, { now }).catch((err) => log.warn({ err, refundId: r.id }, "refund payout failed; the background sweep retries"));
  return (await claimView(token))!;
}

// ── Paying and confirming ──

export type AdvanceRefundResult = PayoutOutcome | { outcome: "waiting" | "confirmed_recorded" };

/**
 * Moves one Bitcoin refund on: hot mode signs + stores + broadcasts (or re-sends the stored
 * payout) and notices its confirmation; a txid an admin recorded is watched until it confirms.
 * Each change is a timeline note (and an audit row for the payout), written once: only the
 * run whose compare-and-set moved the refund writes it.
 */
export async function advanceRefund(refundId: string, opts: { now?: Date; chain?: PayoutChain } = {}) {
  const before = await db.refund.findUniqueOrThrow({ where: { id: refundId }, select: { status: true, method: true } });
  let out: AdvanceRefundResult;
  if (before.method === "bitcoin_hot") out = await payRefundFromHotWallet(refundId, opts);
  else out = { outcome: (await checkRecordedPayout(refundId, opts)) === "confirmed" ? "confirmed_recorded" : "waiting" };
  const after = await db.refund.findUniqueOrThrow({ where: { id: refundId } });
  await writeNotes(refundId, before.status as RefundStatus, after);
  return out;
}

async function writeNotes(
  refundId: string,
  from: RefundStatus,
  r: {
    status: string;
    txid: string | null;
    payoutSats: bigint | null;
    feeSats: bigint | null;
    networkFeeSats: bigint | null;
    address: string | null;
    version: number;
  },
) {
  if (r.status === from) return;
  // One writer per step: the audit row's id is keyed by refund and step, so a twin run that
  // saw the same change finds it taken and writes nothing.
  const at = (x: string) => ORDER.indexOf(x as RefundStatus);
  const steps = (["signed", "broadcast", "confirmed"] as const).filter((s) => at(from) < at(s) && at(r.status) >= at(s));
  for (const s of steps) {
    const id = `refund:${refundId}:${s}`;
    const message =
      s === "signed"
        ? `refund payout signed and stored: ${r.txid} (${r.payoutSats} sats to ${r.address}; the transaction pays ${r.networkFeeSats} sats in fee)`
        : s === "broadcast"
          ? `refund payout broadcast: ${r.txid}`
          : `refund payout confirmed: ${r.txid} (${r.payoutSats} sats to ${r.address})`;
    try {
      await db.$transaction(async (tx) => {
        await tx.auditLog.create({
          data: {
            id,
            actorId: null,
            action: `refund.${s}`,
            targetType: "checkout",
            targetId: (await tx.refund.findUniqueOrThrow({ where: { id: refundId } })).checkoutId,
            data: { refundId, txid: r.txid },
          },
        });
        await note(tx, refundId, s === "confirmed" ? "chain" : "system", message, { txid: r.txid, status: s });
      });
    } catch (err) {
      // The marker exists: a twin wrote this step's note already.
      if (!isUniqueViolation(err)) throw err;
    }
  }
}

const ORDER: RefundStatus[] = ["awaiting_claim", "claimed", "signed", "broadcast", "confirmed"];

/** The background sweep's part: every Bitcoin refund that is claimed or not yet confirmed. */
export async function settleRefunds(opts: { now?: Date; limit?: number } = {}): Promise<{ advanced: number; errors: number }> {
  const open = await db.refund.findMany({
    where: { rail: "btc", status: { in: ["claimed", "signed", "broadcast"] } },
    orderBy: { createdAt: "asc" },
    take: opts.limit ?? 200,
    select: { id: true, method: true, status: true },
  });
  let advanced = 0;
  let errors = 0;
  for (const r of open) {
    // Hot payouts are signed only where the hot wallet is; a watch-only server still watches them confirm.
    if (r.method === "bitcoin_hot" && r.status === "claimed" && !refundWalletAddress()) continue;
    try {
      const before = r.status;
      await advanceRefund(r.id, { now: opts.now });
      const after = await db.refund.findUniqueOrThrow({ where: { id: r.id }, select: { status: true } });
      if (after.status !== before) advanced++;
    } catch (err) {
      errors++;
      log.warn({ err: (err as Error).message, refundId: r.id }, "refund: step failed; retried next sweep");
    }
  }
  return { advanced, errors };
}

// ── Admin: recording a payout made from the admin's own wallet (watch-only) ──

/** Inside the admin's audited transaction: a claimed watch-only refund gets its txid. */
export async function recordPayoutTxidInTx(tx: Tx, refundId: string, rawTxid: string, now = new Date()) {
  const txid = rawTxid.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(txid)) throw new AppError("validation_failed", "Enter the transaction id: 64 hexadecimal characters.", { txid: ["invalid"] });
  const r = await tx.refund.findUnique({ where: { id: refundId } });
  if (!r) throw new AppError("not_found", "No such refund.");
  if (r.method !== "bitcoin_manual") throw new AppError("conflict", "This refund is paid by the hot wallet; there is nothing to record.");
  if (r.status !== "claimed")
    throw new AppError("conflict", r.status === "awaiting_claim" ? "The buyer has not entered an address yet." : `Already recorded: ${r.txid}.`);
  const { count } = await tx.refund.updateMany({
    where: { id: refundId, status: "claimed" },
    data: { status: "broadcast", txid, broadcastAt: now, version: { increment: 1 } },
  });
  if (count === 0) throw new LostRace();
  await note(tx, refundId, "admin", `refund paid by an admin from their wallet: ${txid} (${r.payoutSats} sats to ${r.address})`, { txid });
  return r;
}

/** An admin's view of a checkout's refunds. */
export async function refundsOf(checkoutId: string) {
  const rows = await db.refund.findMany({
    where: { checkoutId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      method: true,
      status: true,
      amount: true,
      unit: true,
      reason: true,
      address: true,
      feeSats: true,
      payoutSats: true,
      networkFeeSats: true,
      txid: true,
      externalRef: true,
      error: true,
      createdAt: true,
      claimedAt: true,
      broadcastAt: true,
      confirmedAt: true,
      recordedAt: true,
    },
  });
  return rows;
}

export { refundWalletAddress };
