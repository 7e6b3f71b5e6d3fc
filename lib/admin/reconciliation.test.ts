import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { parseReconciliationQuery, periodOf, reconciliationReport, reportLines, reportRecords } from "@/lib/admin/reconciliation";
import { recordRefundPayout, refundMoney } from "@/lib/admin/refunds";
import { creditCheckout, creditKey } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { claimRefund, quoteClaim } from "@/lib/refunds/refunds";
import { ABANDON, createBtcCheckout, newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";

// The reconciliation report against the chain simulator and a real database: clean data has
// zero differences, and each planted difference — a payment on the chain Satchel never
// recorded, a credited checkout whose ledger entry is missing, a balance that is not the sum
// of its entries — is listed with its checkout or user. Each test reports on its own user
// (the worker's database is shared with other test files).

afterAll(async () => {
  await (await simulator())?.close();
});

async function creditedCheckout(chain: Chain) {
  const { user, checkout } = await newCheckout();
  const txid = payAndConfirm(chain, checkout);
  expect(await observeCheckout(checkout.id)).toMatchObject({ status: "paid" });
  expect(await creditCheckout(checkout.id)).toMatchObject({ outcome: "credited" });
  return { user, checkout, txid };
}

const report = (userId: string, extra: Parameters<typeof reconciliationReport>[0] = {}) =>
  reconciliationReport({ userId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), ...extra });

describe("reconciliation report", () => {
  it("clean data: a credited payment and a checkout still being paid add up, with zero differences", async () => {
    const chain = await regtest();
    const { user, checkout } = await creditedCheckout(chain);
    // A second checkout of the same buyer, paid but not yet confirmed: in progress, not a difference.
    const { id: pendingId } = await createBtcCheckout(user.id, "medium");
    const pending = await db.checkout.findUniqueOrThrow({ where: { id: pendingId } });
    chain.pay([{ address: pending.address!, sats: 7_000n }]);
    await observeCheckout(pendingId);

    const r = await report(user.id);
    expect(r.differences).toEqual([]);
    expect(r.unchecked.addresses).toBe(0);
    expect(r.chainCalls).toBeGreaterThanOrEqual(2);
    expect(r.totals).toEqual([
      expect.objectContaining({
        rail: "btc",
        unit: "sat",
        checkouts: 2,
        received: checkout.expectedAmount + 7_000n,
        credited: checkout.expectedAmount,
        credits: 500,
        inProgress: 7_000n,
        openExceptions: 0n,
        unaccounted: 0n,
        differences: 0,
      }),
    ]);
    expect(r.ledger).toMatchObject({ users: 1, entries: 1, entriesTotal: 500, balancesTotal: 500, mismatchedUsers: 0 });
    expect(reportLines(r, "http://satchel.test")).toContain("No differences.");
  });

  it("lists an unrecorded on-chain payment to a handed-out address, with its txid and amount, until Satchel records it", async () => {
    const chain = await regtest();
    const { user, checkout } = await creditedCheckout(chain);
    // A wallet re-used the address; nothing has observed it since.
    const late = chain.pay([{ address: checkout.address!, sats: 4_321n }]);
    chain.mine(1);

    const r = await report(user.id);
    expect(r.differences).toEqual([
      expect.objectContaining({
        kind: "unrecorded_payment",
        checkoutId: checkout.id,
        amount: "4321",
        unit: "sat",
        href: `/admin/payments/${checkout.id}`,
        key: expect.stringContaining(late),
      }),
    ]);
    expect(r.differences[0]!.message).toContain(`${late}:`);
    expect(r.totals[0]).toMatchObject({ received: checkout.expectedAmount + 4_321n, differences: 1 });
    const lines = reportLines(r, "http://satchel.test");
    expect(lines.some((l) => l.includes("Unrecorded payment") && l.includes(`http://satchel.test/admin/payments/${checkout.id}`))).toBe(true);

    // Once observed it is recorded (paid after credit, an open exception for an admin): no difference.
    await advanceCheckout(checkout.id);
    const after = await report(user.id);
    expect(after.differences).toEqual([]);
    expect(after.totals[0]).toMatchObject({ credited: checkout.expectedAmount, openExceptions: 4_321n });
  });

  it("an overpayment's excess is an open exception until its refund of money is paid, then refunded — zero differences either way", async () => {
    const chain = await regtest();
    const admin = await createUser({ role: "admin" });
    const { user, checkout } = await newCheckout();
    chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount + 2_500n }]);
    chain.mine(3);
    await observeCheckout(checkout.id);
    await creditCheckout(checkout.id);
    await refundMoney({ actorId: admin.id, requestId: randomUUID(), reason: "overpayment: refunding the excess" }, checkout.id, { amount: "2500" });
    const btc = async () => (await report(user.id)).totals.find((t) => t.rail === "btc")!;
    expect(await btc()).toMatchObject({ received: checkout.expectedAmount + 2_500n, refunded: 0n, openExceptions: 2_500n, differences: 0 });

    const refund = await db.refund.findFirstOrThrow({ where: { checkoutId: checkout.id } });
    const mail = await db.outboundEmail.findUniqueOrThrow({ where: { dedupKey: `refund:${refund.id}:claim` } });
    const token = /\/refund\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    const to = hotWalletFromSeed(ABANDON, "regtest").address(4242);
    const q = await quoteClaim(token, to);
    await claimRefund(token, to, q.feeSats);
    const paid = chain.pay([{ address: to, sats: q.payoutSats }]);
    await recordRefundPayout({ actorId: admin.id, requestId: randomUUID(), reason: "paid from the merchant wallet" }, refund.id, paid);
    const r = await report(user.id);
    expect(r.differences).toEqual([]);
    expect(r.totals.find((t) => t.rail === "btc")).toMatchObject({ refunded: 2_500n, openExceptions: 0n, credited: checkout.expectedAmount, unaccounted: 0n });
  });

  it("lists a payment Satchel recorded that the chain no longer has", async () => {
    const chain = await regtest();
    const { user, checkout } = await newCheckout();
    const txid = chain.pay([{ address: checkout.address!, sats: checkout.expectedAmount }]);
    await observeCheckout(checkout.id);
    chain.drop(txid);

    const r = await report(user.id);
    expect(r.differences).toEqual([
      expect.objectContaining({ kind: "recorded_not_on_chain", checkoutId: checkout.id, amount: checkout.expectedAmount.toString() }),
    ]);
  });

  it("lists a credited checkout whose ledger entry is missing", async () => {
    const chain = await regtest();
    const { user, checkout } = await creditedCheckout(chain);
    // The entry vanishes and the balance with it (so Σ entries = balance still holds).
    await db.$transaction([
      db.ledgerEntry.delete({ where: { idempotencyKey: creditKey(checkout.id) } }),
      db.user.update({ where: { id: user.id }, data: { balance: 0 } }),
    ]);

    const r = await report(user.id);
    expect(r.differences).toEqual([
      expect.objectContaining({
        kind: "missing_ledger_entry",
        checkoutId: checkout.id,
        amount: "500",
        unit: "credits",
        href: `/admin/payments/${checkout.id}`,
      }),
    ]);
    expect(r.ledger.mismatchedUsers).toBe(0);
  });

  it("lists a user whose balance is not the sum of their ledger entries", async () => {
    const chain = await regtest();
    const { user } = await creditedCheckout(chain);
    await db.user.update({ where: { id: user.id }, data: { balance: { increment: 7 } } });

    const r = await report(user.id);
    expect(r.differences).toEqual([expect.objectContaining({ kind: "balance_mismatch", userId: user.id, amount: "7", href: `/admin/users/${user.id}` })]);
    expect(r.ledger).toMatchObject({ entriesTotal: 500, balancesTotal: 507, mismatchedUsers: 1 });
    const csv = reportRecords(r, "http://satchel.test");
    expect(csv.find((row) => row[0] === "difference")).toEqual(
      expect.arrayContaining(["balance_mismatch", user.id, "7", `http://satchel.test/admin/users/${user.id}`]),
    );
  });

  it("lists a ledger credit for a checkout that was never credited", async () => {
    await regtest();
    const { user, checkout } = await newCheckout();
    await db.$transaction([
      db.ledgerEntry.create({
        data: { userId: user.id, amount: 500, balanceAfter: 500, reason: "purchase", reference: checkout.id, idempotencyKey: creditKey(checkout.id) },
      }),
      db.user.update({ where: { id: user.id }, data: { balance: 500 } }),
    ]);
    const r = await report(user.id);
    expect(r.differences).toEqual([expect.objectContaining({ kind: "credit_without_checkout", checkoutId: checkout.id, amount: "500" })]);
  });

  it("stays within the chain-call budget and says which addresses it did not check", async () => {
    const chain = await regtest();
    const { user } = await creditedCheckout(chain);
    await createBtcCheckout(user.id, "medium");
    const r = await report(user.id, { chainCalls: 1, concurrency: 1 });
    expect(r.chainCalls).toBe(1);
    expect(r.unchecked).toMatchObject({ addresses: 1, reason: expect.stringContaining("RECONCILIATION_CHAIN_CALLS=1") });
    expect(reportLines(r).join("\n")).toContain("1 address(es) NOT checked");
  });

  it("reads the period from the picker: UTC days, `to` inclusive; a bad date is a 422 naming it", () => {
    const q = parseReconciliationQuery(new URLSearchParams({ from: "2026-11-01", to: "2026-11-30", rail: "btc" }));
    expect(periodOf(q)).toEqual({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") });
    expect(() => parseReconciliationQuery(new URLSearchParams({ from: "2026-13-45" }))).toThrow(expect.objectContaining({ code: "validation_failed" }));
    expect(() => parseReconciliationQuery(new URLSearchParams({ to: "2026-02-31" }))).toThrow(expect.objectContaining({ code: "validation_failed" }));
    expect(() => parseReconciliationQuery(new URLSearchParams({ from: "2026-12-02", to: "2026-12-01" }))).toThrow(
      expect.objectContaining({ code: "validation_failed" }),
    );
    expect(() => parseReconciliationQuery(new URLSearchParams({ rail: "paypal" }))).toThrow(expect.objectContaining({ code: "validation_failed" }));
  });
});
