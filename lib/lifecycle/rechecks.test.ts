import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { adjustBalance, refundCheckout } from "@/lib/admin/actions";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { debit } from "@/lib/ledger/ledger";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { reconcile } from "./reconcile";

// Reorg safety after crediting, through the reconciler against the chain simulator: a credited
// output is looked at again when the tip's ancestry changes (within a sweep, not at the slow
// after-credit pace of every 10 minutes on the first day) and when it reaches 6 and 100
// confirmations — once per depth; the tip is asked at most once a minute. A reversed payment's
// credits come back through the ledger, never below zero, audited.

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

const minutes = (start: number, n: number) => new Date(start + n * 60_000);
const row = (id: string) => db.checkout.findUniqueOrThrow({ where: { id }, include: { outputs: true } });

describe("the tip's ancestry changes after crediting", () => {
  it("a reorg 4 blocks deep that drops the credited payment is flagged reversed in the next sweep, minutes before the after-credit pace would look", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const start = Date.now();
    const { checkout, txid } = await creditedCheckout(chain);
    chain.mine(1); // 4 confirmations
    await reconcile({ now: minutes(start, 2) }); // the tip as it was
    expect(await row(checkout.id)).toMatchObject({ exception: null, needsAttention: false });

    chain.reorg(4, { drop: true });
    chain.mine(5);
    // 4 minutes after crediting: the after-credit pace alone would look again only after 10.
    await reconcile({ now: minutes(start, 4) });
    const c = await row(checkout.id);
    expect(c).toMatchObject({ status: "credited", exception: "reversed", needsAttention: true });
    expect(c.attentionReason).toContain(`reversed after credit: ${txid} left the chain`);
  });

  it("a tip that only grows is no reorg: the credited checkout is not looked at again, and the tip is asked at most once a minute", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const start = Date.now();
    const { checkout } = await creditedCheckout(chain);
    await reconcile({ now: minutes(start, 2) });
    const looked = (await row(checkout.id)).lastObservedAt;
    const tip = await db.btcChainTip.findUniqueOrThrow({ where: { network: "regtest" } });
    expect(tip).toMatchObject({ height: chain.height, hash: chain.tip.hash });

    chain.mine(1);
    await reconcile({ now: new Date(minutes(start, 2).getTime() + 30_000) }); // within the minute: the tip is not asked
    expect(await db.btcChainTip.findUniqueOrThrow({ where: { network: "regtest" } })).toMatchObject({ checkedAt: tip.checkedAt, height: tip.height });
    await reconcile({ now: minutes(start, 3) });
    expect(await db.btcChainTip.findUniqueOrThrow({ where: { network: "regtest" } })).toMatchObject({ height: chain.height, hash: chain.tip.hash });
    expect((await row(checkout.id)).lastObservedAt).toEqual(looked);
  });
});

describe("depth re-checks of a credited output", () => {
  it("looks again at 6 and at 100 confirmations, once each", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const start = Date.now();
    const { checkout } = await creditedCheckout(chain);
    await reconcile({ now: minutes(start, 2) });

    chain.mine(3); // 6 confirmations
    await reconcile({ now: minutes(start, 3) });
    let c = await row(checkout.id);
    expect(c.lastObservedAt).toEqual(minutes(start, 3));
    expect(c.outputs.map((o) => o.recheckedDepth)).toEqual([6]);

    chain.mine(1); // 7: nothing due
    await reconcile({ now: minutes(start, 4) });
    expect((await row(checkout.id)).lastObservedAt).toEqual(minutes(start, 3));

    chain.mine(93); // 100 confirmations
    await reconcile({ now: minutes(start, 5) });
    c = await row(checkout.id);
    expect(c.lastObservedAt).toEqual(minutes(start, 5));
    expect(c.outputs.map((o) => o.recheckedDepth)).toEqual([100]);
    expect(c).toMatchObject({ status: "credited", exception: null });
  });
});

describe("clawing back the credits of a reversed payment", () => {
  it("through the ledger, never below zero, audited: a buyer who spent some keeps a zero balance, not a negative one", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const { user, checkout } = await creditedCheckout(chain);
    chain.mine(1);
    chain.reorg(4, { drop: true });
    chain.mine(5);
    expect(await observeCheckout(checkout.id)).toMatchObject({ exception: "reversed" });
    await debit({ userId: user.id, amount: 200, idempotencyKey: `spend:${checkout.id}`, reason: "spend" });

    const admin = await createUser({ role: "admin" });
    const ctx = (reason: string) => ({ actorId: admin.id, requestId: randomUUID(), reason });
    // Taking back all 500 would go below zero: refused, nothing changed.
    await expect(refundCheckout(ctx("payment reversed by a reorg"), checkout.id)).rejects.toMatchObject({
      code: "insufficient_credits",
      message: expect.stringMatching(/the buyer has only 300 left/),
    });
    // What is left comes back as an audited adjustment; one more credit is refused.
    expect(await adjustBalance(ctx("reorg reversal: the 300 credits left"), user.id, -300)).toMatchObject({ applied: true });
    await expect(adjustBalance(ctx("reorg reversal"), user.id, -1)).rejects.toMatchObject({ code: "insufficient_credits" });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(0);
    const entries = await db.ledgerEntry.findMany({ where: { userId: user.id } });
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(0);
    expect(await db.auditLog.count({ where: { targetId: user.id, action: "user.adjust_balance" } })).toBe(1);
  });
});
