import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { refundCheckout } from "@/lib/admin/actions";
import { openExceptions } from "@/lib/admin/metrics";
import { parsePaymentQuery, searchPayments } from "@/lib/admin/payments";
import { creditCheckout } from "@/lib/checkouts/credit";
import { observeCheckout } from "@/lib/checkouts/observe";
import { db } from "@/lib/db/client";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { ABANDON, newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";

// Every unit accounted for after crediting, against the chain simulator: money a wallet sends
// to a credited address again is recorded (paid_after_credit, on the admin worklist, findable
// by txid; swept in hot mode), and a reorg deeper than the confirmations that takes the
// credited payment away flags the checkout (reversed) so an admin can claw the credits back.

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

const row = (id: string) => db.checkout.findUniqueOrThrow({ where: { id }, include: { outputs: true, events: { orderBy: { createdAt: "asc" } } } });

describe("watch-only (xpub): money paid after crediting", () => {
  it("1,234 extra sats to a credited address: recorded, paid_after_credit, on the worklist, findable by txid", async () => {
    const chain = await regtest();
    const { checkout } = await creditedCheckout(chain);
    const late = chain.pay([{ address: checkout.address!, sats: 1_234n }]);

    // What "Re-check now" and the reconciler's after-credit pass run.
    const r = await advanceCheckout(checkout.id);
    expect(r).toMatchObject({ status: "credited", exception: "paid_after_credit", observed: true });
    const c = await row(checkout.id);
    expect(c).toMatchObject({ status: "credited", exception: "paid_after_credit", receivedAmount: checkout.expectedAmount + 1_234n, needsAttention: true });
    expect(c.attentionReason).toContain(`paid after credit: 1234 sats in ${late}`);
    expect(c.outputs.map((o) => o.txid)).toContain(late);
    expect(c.events.some((e) => e.message === "a payment arrived after the checkout was credited")).toBe(true);

    expect((await openExceptions(10_000)).map((e) => e.id)).toContain(checkout.id);
    const found = await searchPayments(parsePaymentQuery({ q: late }));
    expect(found.rows.map((p) => p.id)).toEqual([checkout.id]);

    // Once the late payment has the required confirmations, further blocks write nothing.
    chain.mine(3);
    await advanceCheckout(checkout.id);
    const version = (await row(checkout.id)).version;
    chain.mine(2);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ did: [] });
    expect((await row(checkout.id)).version).toBe(version);
  });

  it("an address is no longer looked at once WATCH_AFTER_CLOSE_DAYS have passed since crediting", async () => {
    const chain = await regtest({ WATCH_AFTER_CLOSE_DAYS: "30" });
    const { checkout } = await creditedCheckout(chain);
    chain.pay([{ address: checkout.address!, sats: 5_000n }]);
    const r = await advanceCheckout(checkout.id, { now: new Date(Date.now() + 31 * 86_400_000) });
    expect(r).toMatchObject({ observed: false, exception: null });
    expect(await advanceCheckout(checkout.id)).toMatchObject({ observed: true, exception: "paid_after_credit" });
  });
});

describe("reorg after crediting", () => {
  it("a reorg 4 blocks deep that drops the credited payment flags it reversed; an admin claws the credits back, never below zero", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const { user, checkout, txid } = await creditedCheckout(chain);
    chain.mine(1); // 4 confirmations
    chain.reorg(4, { drop: true });
    chain.mine(5);

    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "credited", exception: "reversed" });
    const c = await row(checkout.id);
    expect(c.needsAttention).toBe(true);
    expect(c.attentionReason).toContain(`reversed after credit: ${txid} left the chain`);
    expect((await openExceptions(10_000)).map((e) => e.id)).toContain(checkout.id);

    const admin = await createUser({ role: "admin" });
    const credits = (await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance;
    expect(credits).toBe(checkout.credits);
    const clawed = await refundCheckout({ actorId: admin.id, requestId: randomUUID(), reason: "payment reversed by a reorg" }, checkout.id);
    expect(clawed).toMatchObject({ applied: true });
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(0);
    expect(await db.auditLog.count({ where: { targetId: checkout.id, action: "checkout.refund" } })).toBe(1);
  });

  it("a reorg that only un-confirms the credited payment flags it for an admin; nothing is reversed", async () => {
    const chain = await regtest({ BTC_CONFIRMATIONS: "3" });
    const { checkout, txid } = await creditedCheckout(chain);
    chain.reorg(3);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "credited", exception: null });
    const c = await row(checkout.id);
    expect(c.needsAttention).toBe(true);
    expect(c.attentionReason).toContain(`reorg after credit: ${txid} is unconfirmed again`);
  });
});

describe("hot wallet: money paid after forwarding is swept too", () => {
  it("4,321 sats to a forwarded address: recorded, on the worklist, swept once confirmed, exactly one spend", async () => {
    const forward = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);
    // 4,321 sats alone at the 6-block rate (6.2 sat/vB): a 110 vB sweep, 682 sats, 15.8 % — within a 20 % fee share.
    const chain = await regtest({
      BTC_ADDRESS_SOURCE: "hot",
      BTC_HOT_SEED: ABANDON,
      BTC_FORWARD_ADDRESS: forward,
      BTC_FORWARD_FEE_TARGET: "6",
      BTC_FORWARD_MAX_FEE_PERCENT: "20",
    });
    const { checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    await advanceCheckout(checkout.id); // paid → credited → sweep broadcast
    chain.mine(1);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "forwarded" });

    const late = chain.pay([{ address: checkout.address!, sats: 4_321n }]);
    // Unconfirmed: recorded and flagged, not swept yet.
    expect(await advanceCheckout(checkout.id)).toMatchObject({ status: "forwarded", exception: "paid_after_credit" });
    expect(await db.sweepTransaction.count({ where: { checkoutId: checkout.id } })).toBe(1);
    expect((await openExceptions(10_000)).map((e) => e.id)).toContain(checkout.id);

    chain.mine(1);
    await advanceCheckout(checkout.id); // the later sweep is stored, then broadcast
    await advanceCheckout(checkout.id); // a second look re-sends the same stored transaction
    const sweeps = await db.sweepTransaction.findMany({ where: { checkoutId: checkout.id }, orderBy: { seq: "asc" } });
    expect(sweeps.map((s) => s.seq)).toEqual([0, 1]);
    expect(sweeps[1]!.inputs).toEqual([`${late}:0`]);
    expect(sweeps[1]!.amountSats + sweeps[1]!.feeSats).toBe(4_321n);
    chain.mine(1);
    await advanceCheckout(checkout.id);

    const c = await row(checkout.id);
    expect(c.events.some((e) => e.message.startsWith(`${sweeps[1]!.amountSats} sats paid after crediting forwarded`))).toBe(true);
    // Every output of the address spent exactly once, and nothing left on the server's key.
    const spenders = [...chain.mempoolTxids(), ...chain.blocks.flatMap((b) => b.txids)].filter((t) =>
      chain.getTx(t)!.vin.some((i) => c.outputs.some((o) => o.txid === i.txid && o.vout === i.vout)),
    );
    expect(spenders.sort()).toEqual(sweeps.map((s) => s.txid).sort());
    expect(chain.utxos(checkout.address!)).toEqual([]);
    expect(await advanceCheckout(checkout.id)).toMatchObject({ did: [] });
  });
});
