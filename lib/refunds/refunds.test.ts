import { randomUUID } from "node:crypto";
import { hex } from "@scure/base";
import { Transaction } from "@scure/btc-signer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordRefundPayout, refundMoney } from "@/lib/admin/refunds";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { networkParams } from "@/lib/rails/bitcoin/networks";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { expectValidP2wpkhSignatures } from "@/test/bip143";
import { ABANDON, newCheckout, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { advanceRefund, claimRefund, claimView, quoteClaim, settleRefunds } from "./refunds";

// Refunds of money on real PostgreSQL and the regtest simulator: an admin creates one (audited,
// on the timeline, never more than received minus earlier refunds — also under concurrency),
// the buyer claims it with an address valid for the network and sees the fee first, and
// then either an admin records the txid they paid (watch-only) or the hot wallet pays exactly
// amount − fee from its refund address, stored before broadcast, never signed twice.

const MAINNET_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
const BUYER_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const buyerAddress = (i: number) => hotWalletFromSeed(BUYER_SEED, "regtest").address(i);

let chain: Chain;
let admin: { id: string };

const ctx = (reason = "overpayment: refunding the excess") => ({ actorId: admin.id, requestId: randomUUID(), reason });

/** A Bitcoin checkout paid `extra` sats more than asked, confirmed and credited (exception overpaid when extra > 0). */
async function overpaid(extra: bigint) {
  const { user, checkout } = await newCheckout();
  chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount + extra }]);
  chain.mine(3);
  await observeCheckout(checkout.id);
  expect(await creditCheckout(checkout.id)).toMatchObject({ outcome: "credited" });
  const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
  expect(row.exception).toBe(extra > 0n ? "overpaid" : null);
  return { user, checkout: row };
}

/** The claim link's token from the buyer's email (the database holds only its hash). */
async function tokenFromEmail(refundId: string): Promise<string> {
  const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: `refund:${refundId}:claim` } });
  const m = /\/refund\/([A-Za-z0-9_-]{43})/.exec(mail.text);
  expect(m, mail.text).not.toBeNull();
  return m![1]!;
}

async function createdRefund(checkoutId: string, amount: bigint) {
  const out = await refundMoney(ctx(), checkoutId, { amount: amount.toString() });
  expect(out.applied).toBe(true);
  const r = await db.refund.findFirstOrThrow({ where: { checkoutId }, orderBy: { createdAt: "desc" } });
  return { out, refund: r, token: await tokenFromEmail(r.id) };
}

afterAll(async () => {
  await (await simulator())?.close();
});

describe("refunds of money, watch-only (xpub) mode", () => {
  beforeAll(async () => {
    chain = await regtest({ BTC_FORWARD_FEE_TARGET: "6" }); // the quotes below are at the 6-block rate (6.2 sat/vB)
    admin = await createUser({ role: "admin" });
  });

  it("an admin's refund of an overpayment: awaiting the buyer's claim, emailed, audited, on the timeline; the token is only in the link", async () => {
    const { user, checkout } = await overpaid(2_500n);
    const { out, refund, token } = await createdRefund(checkout.id, 2_500n);
    expect(refund).toMatchObject({ status: "awaiting_claim", method: "bitcoin_manual", amount: 2_500n, unit: "sat", rail: "btc", createdById: admin.id });
    expect(refund.claimTokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(refund.claimTokenHash).not.toContain(token);
    const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: `refund:${refund.id}:claim` } });
    expect(mail.to).toBe(user.email);
    expect(mail.subject).toContain("2500 sat");

    const audit = await db.auditLog.findUniqueOrThrow({ where: { id: out.auditId! } });
    expect(audit).toMatchObject({ action: "checkout.refund_money", targetType: "checkout", targetId: checkout.id, actorId: admin.id });
    expect(audit.data).toMatchObject({ refundId: refund.id, amount: "2500", method: "bitcoin_manual" });
    const events = await db.checkoutEvent.findMany({ where: { checkoutId: checkout.id, cause: "admin" } });
    expect(events.map((e) => e.message)).toEqual([expect.stringMatching(/^refund of 2500 sat created by an admin/)]);
    // The credits stay: a refund of money is not a ledger movement.
    expect(await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { balance: true } })).toEqual({ balance: checkout.credits });

    expect(await claimView(token)).toMatchObject({ status: "awaiting_claim", amount: 2_500n, paidBy: "admin" });
    expect(await claimView("x".repeat(43))).toBeNull();
  });

  it("never more than received minus what was already refunded, and the same form twice is one refund", async () => {
    const { checkout } = await overpaid(1_000n);
    const received = checkout.receivedAmount;
    await expect(refundMoney(ctx(), checkout.id, { amount: (received + 1n).toString() })).rejects.toMatchObject({ code: "conflict", status: 409 });
    await expect(refundMoney(ctx(), checkout.id, { amount: "0" })).rejects.toMatchObject({ status: 422 });
    await expect(refundMoney(ctx(), checkout.id, { amount: "12.5" })).rejects.toMatchObject({ status: 422 });
    const once = ctx();
    expect((await refundMoney(once, checkout.id, { amount: (received - 100n).toString() })).applied).toBe(true);
    expect((await refundMoney(once, checkout.id, { amount: (received - 100n).toString() })).applied).toBe(false);
    await expect(refundMoney(ctx(), checkout.id, { amount: "101" })).rejects.toThrow(/at most 100 can go back/);
    expect((await refundMoney(ctx(), checkout.id, { amount: "100" })).applied).toBe(true);
    await expect(refundMoney(ctx(), checkout.id, { amount: "1" })).rejects.toMatchObject({ code: "conflict" });
    expect(await db.refund.count({ where: { checkoutId: checkout.id } })).toBe(2);
  });

  it("eight admins at once, each refunding 40 % of what arrived: two pass, the rest are refused; the sum never exceeds received", async () => {
    const { checkout } = await overpaid(0n);
    const part = (checkout.receivedAmount * 40n) / 100n;
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => refundMoney(ctx(), checkout.id, { amount: part.toString() })));
    const applied = results.filter((r) => r.status === "fulfilled" && r.value.applied);
    const refused = results.filter((r) => r.status === "rejected");
    expect(applied).toHaveLength(2);
    expect(refused).toHaveLength(6);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    const sum = await db.refund.aggregate({ where: { checkoutId: checkout.id }, _sum: { amount: true } });
    expect(sum._sum.amount).toBe(part * 2n);
    expect(await db.auditLog.count({ where: { targetId: checkout.id, action: "checkout.refund_money" } })).toBe(2);
  });

  it("M-Pesa, NEO Bank, Interledger: the admin records a refund made outside Satchel with its reference", async () => {
    const user = await createUser();
    const now = new Date();
    const c = await db.checkout.create({
      data: {
        userId: user.id,
        packageName: "Medium",
        credits: 500,
        priceMinor: 2000,
        currency: "USD",
        rail: "mpesa",
        status: "credited",
        expectedAmount: 2_600n,
        receivedAmount: 2_600n,
        amountUnit: "KES",
        expiresAt: now,
        monitorUntil: now,
        creditedAt: now,
      },
    });
    await expect(refundMoney(ctx("buyer cancelled"), c.id, { amount: "600" })).rejects.toMatchObject({ status: 422 });
    const out = await refundMoney(ctx("buyer cancelled"), c.id, { amount: "600", externalRef: " RKT4XYZ12 " });
    expect(out.applied).toBe(true);
    const r = await db.refund.findFirstOrThrow({ where: { checkoutId: c.id } });
    expect(r).toMatchObject({ method: "external", status: "recorded", amount: 600n, unit: "KES", externalRef: "RKT4XYZ12", claimTokenHash: null });
    expect(r.recordedAt).not.toBeNull();
    expect(await db.outboundEmail.count({ where: { dedupKey: `refund:${r.id}:claim` } })).toBe(0);
    expect((await db.auditLog.findUniqueOrThrow({ where: { id: out.auditId! } })).data).toMatchObject({ externalRef: "RKT4XYZ12", method: "external" });
    expect(await db.checkoutEvent.findFirst({ where: { checkoutId: c.id, cause: "admin" } })).toMatchObject({
      message: expect.stringContaining("refund of 600 KES recorded by an admin, paid outside Satchel (reference RKT4XYZ12)"),
    });
    await expect(refundMoney(ctx("again"), c.id, { amount: "2001", externalRef: "RKT4XYZ13" })).rejects.toThrow(/at most 2000 can go back/);
  });

  it("an amount in the price's currency converts at the checkout's locked rate", async () => {
    const { checkout } = await overpaid(0n);
    // Medium is $20.00 = 20,000 sats at 100,000 $/BTC: $1.50 = 1,500 sats.
    expect((await refundMoney(ctx(), checkout.id, { amount: "150", unit: "price" })).applied).toBe(true);
    expect(await db.refund.findFirstOrThrow({ where: { checkoutId: checkout.id } })).toMatchObject({ amount: (150n * checkout.expectedAmount) / 2000n });
  });

  it("the claim: an address of another network is refused (4xx), the fee is shown first, and the claim is stored once", async () => {
    const { checkout } = await overpaid(3_000n);
    const { refund, token } = await createdRefund(checkout.id, 3_000n);
    await expect(quoteClaim(token, MAINNET_ADDRESS)).rejects.toMatchObject({ status: 422 });
    await expect(quoteClaim(token, "not an address")).rejects.toMatchObject({ status: 422 });
    await expect(quoteClaim("y".repeat(43), buyerAddress(1))).rejects.toMatchObject({ status: 404 });
    const q = await quoteClaim(token, buyerAddress(1));
    // 1 input, 2 P2WPKH outputs = 141 vB at 6.2 sat/vB
    expect(q).toMatchObject({ feeRate: "6.2", feeSats: 875n, payoutSats: 3_000n - 875n });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "awaiting_claim", address: null });
    // The fee rose since the buyer looked: refused, so they never get less than they saw.
    await expect(claimRefund(token, buyerAddress(1), 800n)).rejects.toMatchObject({ code: "conflict" });
    const v = await claimRefund(token, buyerAddress(1), q.feeSats);
    expect(v).toMatchObject({ status: "claimed", address: buyerAddress(1), feeSats: 875n, payoutSats: 2_125n });
    await expect(claimRefund(token, buyerAddress(2), q.feeSats)).resolves.toMatchObject({ status: "claimed", address: buyerAddress(1) });
    expect(await db.checkoutEvent.count({ where: { checkoutId: checkout.id, cause: "buyer", message: { startsWith: "refund claimed" } } })).toBe(1);
    expect(await db.auditLog.count({ where: { targetId: checkout.id, action: "refund.claim" } })).toBe(1);
  });

  it("watch-only: the admin pays from their wallet and records the txid; it confirms with the chain", async () => {
    const { checkout } = await overpaid(4_000n);
    const { refund, token } = await createdRefund(checkout.id, 4_000n);
    await expect(recordRefundPayout(ctx("paid from the merchant wallet"), refund.id, "ab".repeat(32))).rejects.toThrow(/not entered an address/);
    const q = await quoteClaim(token, buyerAddress(3));
    await claimRefund(token, buyerAddress(3), q.feeSats);
    await expect(recordRefundPayout(ctx("paid"), refund.id, "not-a-txid")).rejects.toMatchObject({ status: 422 });
    const paid = chain.pay([{ address: buyerAddress(3), sats: q.payoutSats }]);
    expect((await recordRefundPayout(ctx("paid from the merchant wallet"), refund.id, paid.toUpperCase())).applied).toBe(true);
    await expect(recordRefundPayout(ctx("again"), refund.id, paid)).rejects.toThrow(/Already recorded/);
    expect(await settleRefunds()).toMatchObject({ errors: 0 });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "broadcast", txid: paid });
    chain.mine(1);
    await settleRefunds();
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "confirmed" });
    const notes = await db.checkoutEvent.findMany({
      where: { checkoutId: checkout.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { message: true },
    });
    expect(notes.map((n) => n.message).filter((m) => m.startsWith("refund"))).toEqual([
      expect.stringMatching(/^refund of 4000 sat created/),
      expect.stringMatching(/^refund claimed by the buyer/),
      expect.stringMatching(/^refund paid by an admin from their wallet/),
      expect.stringMatching(/^refund payout confirmed/),
    ]);
  });
});

describe("refunds of money, hot-wallet mode", () => {
  let refundAddress: string;
  beforeAll(async () => {
    chain = await regtest({ BTC_ADDRESS_SOURCE: "hot", BTC_HOT_SEED: ABANDON, BTC_FORWARD_ADDRESS: buyerAddress(99), BTC_FORWARD_FEE_TARGET: "6" });
    admin = await createUser({ role: "admin" });
    refundAddress = bitcoinSettings().hot!.refund.address;
  });

  it("an empty refund wallet: the claim is kept, the admin sees what to send, and it pays once funded", async () => {
    // The first payout of this suite: the refund wallet has never been funded.
    const { checkout } = await overpaid(5_000n);
    const { refund, token } = await createdRefund(checkout.id, 5_000n);
    expect(chain.utxos(refundAddress)).toEqual([]);
    const q = await quoteClaim(token, buyerAddress(5));
    expect((await claimRefund(token, buyerAddress(5), q.feeSats)).status).toBe("claimed");
    expect((await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).error).toMatch(/refund wallet .* holds \d+ confirmed sats/);
    chain.pay([{ address: refundAddress, sats: 20_000n }]);
    chain.mine(1);
    await settleRefunds();
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "broadcast", error: null });
  });

  it("pays exactly amount − the fee shown from the refund wallet, signed and stored before broadcast; re-runs never sign again", async () => {
    const { checkout } = await overpaid(2_500n);
    const { refund, token } = await createdRefund(checkout.id, 2_500n);
    expect(refund.method).toBe("bitcoin_hot");
    // Spend the change the previous test left, so this payout's one input is the new coin.
    for (const u of chain.utxos(refundAddress)) expect(u.value).toBeLessThan(50_000n);
    const funding = chain.pay([{ address: refundAddress, sats: 50_000n }]);
    chain.mine(1);

    const q = await quoteClaim(token, buyerAddress(4));
    const v = await claimRefund(token, buyerAddress(4), q.feeSats);
    expect(v.status).toBe("broadcast");
    const stored = await db.refund.findUniqueOrThrow({ where: { id: refund.id } });
    expect(stored).toMatchObject({ status: "broadcast", payoutSats: 2_500n - q.feeSats, inputs: [`${funding}:0`] });
    const tx = Transaction.fromRaw(hex.decode(stored.hex!));
    expect(tx.id).toBe(stored.txid);
    expect(chain.mempoolTxids()).toContain(stored.txid);
    const net = networkParams("regtest").signer;
    const outs = Array.from({ length: tx.outputsLength }, (_, i) => ({ address: tx.getOutputAddress(i, net), sats: tx.getOutput(i).amount ?? 0n }));
    expect(outs[0]).toEqual({ address: buyerAddress(4), sats: 2_500n - q.feeSats });
    expect(outs[1]!.address).toBe(refundAddress);
    expect(50_000n - outs[0]!.sats - outs[1]!.sats).toBe(stored.networkFeeSats);
    expect(Number(stored.networkFeeSats)).toBeGreaterThanOrEqual(Math.ceil(tx.vsize * 6.2));
    expectValidP2wpkhSignatures(stored.hex!, [{ txid: funding, vout: 0, value: 50_000n }], bitcoinSettings().hot!.refund.publicKey);

    // Fees move; a re-run re-sends the stored payout and signs nothing new.
    chain.feeEstimates = { ...chain.feeEstimates, "6": 9.9 };
    try {
      expect(await advanceRefund(refund.id)).toMatchObject({ outcome: "broadcast", txid: stored.txid });
      await settleRefunds();
    } finally {
      chain.feeEstimates = { ...chain.feeEstimates, "6": 6.2 };
    }
    const spenders = [...chain.mempoolTxids(), ...chain.blocks.flatMap((b) => b.txids)].filter((id) => chain.getTx(id)!.vin.some((i) => i.txid === funding));
    expect(spenders).toEqual([stored.txid]);

    chain.mine(1);
    await settleRefunds();
    expect(await db.refund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({ status: "confirmed", txid: stored.txid });
    await settleRefunds();
    const messages = (await db.checkoutEvent.findMany({ where: { checkoutId: checkout.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }))
      .map((e) => e.message)
      .filter((m) => m.startsWith("refund"));
    expect(messages).toEqual([
      expect.stringMatching(/^refund of 2500 sat created/),
      expect.stringMatching(/^refund claimed by the buyer: \d+ sats to /),
      expect.stringMatching(/^refund payout signed and stored/),
      expect.stringMatching(/^refund payout broadcast/),
      expect.stringMatching(/^refund payout confirmed/),
    ]);
    const actions = (await db.auditLog.findMany({ where: { targetId: checkout.id }, orderBy: { createdAt: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["checkout.refund_money", "refund.claim", "refund.signed", "refund.broadcast", "refund.confirmed"]);
  });

  it("two claimed refunds at once never spend the same coin", async () => {
    const a = await overpaid(3_000n);
    const b = await overpaid(3_000n);
    const ra = await createdRefund(a.checkout.id, 3_000n);
    const rb = await createdRefund(b.checkout.id, 3_000n);
    chain.pay([{ address: refundAddress, sats: 10_000n }]);
    chain.pay([{ address: refundAddress, sats: 10_000n }]);
    chain.mine(1);
    const [qa, qb] = [await quoteClaim(ra.token, buyerAddress(6)), await quoteClaim(rb.token, buyerAddress(7))];
    await Promise.all([claimRefund(ra.token, buyerAddress(6), qa.feeSats), claimRefund(rb.token, buyerAddress(7), qb.feeSats)]);
    await settleRefunds();
    const rows = await db.refund.findMany({ where: { id: { in: [ra.refund.id, rb.refund.id] } } });
    expect(rows.map((r) => r.status)).toEqual(["broadcast", "broadcast"]);
    const [ia, ib] = rows.map((r) => new Set(r.inputs));
    expect([...ia!].filter((x) => ib!.has(x))).toEqual([]);
    for (const r of rows) expect(chain.mempoolTxids()).toContain(r.txid);
  });
});
