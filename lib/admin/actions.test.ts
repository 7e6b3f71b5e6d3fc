import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { syncAdminRole } from "@/lib/auth/users";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { debit } from "@/lib/ledger/ledger";
import { refundKey } from "@/lib/receipts/receipt";
import { createUser } from "@/test/factories";
import { checkoutRow } from "@/test/rows";
import { adjustBalance, adjustKey, proportionalCredits, recheckCheckout, refundCheckout, resendReceipt, resolveCheckout, setRole } from "./actions";

// Each admin action: its effect, its audit row, and that repeating it (the same form, or a
// second admin racing the first) changes nothing more.

const ctx = (actorId: string, reason = "checked with the buyer") => ({ actorId, requestId: randomUUID(), reason });
const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;
const audits = (targetId: string) => db.auditLog.findMany({ where: { targetId } });

async function underpaid(received = 10_000n) {
  const buyer = await createUser();
  const c = await checkoutRow({ userId: buyer.id, status: "expired", exception: "underpaid", receivedAmount: received, expectedAmount: 20_000n, credits: 500 });
  return { buyer, c };
}

describe("resolveCheckout", () => {
  it("credit proportionally: floor(credits × received / expected), through the ledger, with a timeline event and an audit row", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await underpaid(12_345n);
    const first = ctx(admin.id, "paid 61% before expiry");
    const out = await resolveCheckout(first, c.id, "credit_partial");
    expect(out).toMatchObject({ applied: true, auditId: first.requestId });
    expect(proportionalCredits(500, 12_345n, 20_000n)).toBe(308);
    expect(await balance(buyer.id)).toBe(308);
    const entry = await db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: creditKey(c.id) } });
    expect(entry).toMatchObject({ amount: 308, reference: c.id, userId: buyer.id });
    const row = await db.checkout.findUniqueOrThrow({ where: { id: c.id } });
    expect(row).toMatchObject({ status: "credited", exception: "underpaid" });
    expect(row.creditedAt).not.toBeNull();
    const event = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: c.id, cause: "admin" } });
    expect(event).toMatchObject({ fromStatus: "expired", toStatus: "credited" });
    expect(event.message).toContain("308 credits");
    const [audit] = await audits(c.id);
    expect(audit).toMatchObject({
      id: first.requestId,
      actorId: admin.id,
      action: "checkout.resolve",
      targetType: "checkout",
      reason: "paid 61% before expiry",
    });
    expect(audit!.data).toMatchObject({ resolution: "credit_partial", credits: 308 });

    // The same form again, and a different decision later: neither changes anything.
    expect(await resolveCheckout(first, c.id, "credit_partial")).toMatchObject({ applied: false });
    expect(await resolveCheckout(ctx(admin.id), c.id, "credit_full")).toMatchObject({ applied: false, message: expect.stringMatching(/Already resolved/) });
    expect(await balance(buyer.id)).toBe(308);
    expect(await audits(c.id)).toHaveLength(1);
  });

  it("ten admins crediting in full at once: one ledger entry, one audit row", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await underpaid();
    const results = await Promise.all(Array.from({ length: 10 }, () => resolveCheckout(ctx(admin.id), c.id, "credit_full")));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await balance(buyer.id)).toBe(500);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(c.id) } })).toBe(1);
    expect(await audits(c.id)).toHaveLength(1);
    expect(await db.checkoutEvent.count({ where: { checkoutId: c.id, cause: "admin" } })).toBe(1);
  });

  it("mark invalid adds no credits and records the decision", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await underpaid();
    expect(await resolveCheckout(ctx(admin.id), c.id, "invalid")).toMatchObject({ applied: true });
    expect(await balance(buyer.id)).toBe(0);
    expect(await db.checkout.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ status: "expired", exception: "invalid" });
    expect(await db.checkoutResolution.findUniqueOrThrow({ where: { checkoutId: c.id } })).toMatchObject({ kind: "invalid", credits: null });
    expect(await resolveCheckout(ctx(admin.id), c.id, "credit_full")).toMatchObject({ applied: false });
    expect(await balance(buyer.id)).toBe(0);
  });

  it("refuses buyers, empty reasons, open checkouts and a checkout the lifecycle already credited", async () => {
    const admin = await createUser({ role: "admin" });
    const buyer = await createUser();
    const { c } = await underpaid();
    await expect(resolveCheckout(ctx(buyer.id), c.id, "credit_full")).rejects.toMatchObject({ code: "forbidden" });
    await expect(resolveCheckout(ctx(admin.id, "  "), c.id, "credit_full")).rejects.toMatchObject({ code: "validation_failed" });
    const open = await checkoutRow({ status: "confirming", exception: "underpaid", receivedAmount: 1n });
    await expect(resolveCheckout(ctx(admin.id), open.id, "credit_full")).rejects.toMatchObject({ code: "conflict" });
    const done = await checkoutRow({ status: "credited" });
    expect(await resolveCheckout(ctx(admin.id), done.id, "credit_full")).toMatchObject({ applied: false });
    expect(await audits(c.id)).toHaveLength(0);
  });
});

describe("refundCheckout", () => {
  it("takes the credited amount back once, keyed checkout:<id>:refund", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await underpaid();
    await resolveCheckout(ctx(admin.id), c.id, "credit_full");
    const out = await refundCheckout(ctx(admin.id, "buyer asked for a refund"), c.id);
    expect(out).toMatchObject({ applied: true });
    expect(await balance(buyer.id)).toBe(0);
    expect(await db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: refundKey(c.id) } })).toMatchObject({ amount: -500, reason: "refund" });
    expect(await refundCheckout(ctx(admin.id), c.id)).toMatchObject({ applied: false, message: expect.stringMatching(/Already refunded/) });
    expect(await balance(buyer.id)).toBe(0);
    expect((await audits(c.id)).map((a) => a.action).sort()).toEqual(["checkout.refund", "checkout.resolve"]);
  });

  it("never below zero: a buyer who spent the credits gets a clear refusal and nothing changes", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await underpaid();
    await resolveCheckout(ctx(admin.id), c.id, "credit_full");
    await debit({ userId: buyer.id, amount: 200, idempotencyKey: `spend:${c.id}`, reason: "spend" });
    await expect(refundCheckout(ctx(admin.id), c.id)).rejects.toMatchObject({
      code: "insufficient_credits",
      message: expect.stringMatching(/Cannot refund 500 credits: the buyer has only 300 left/),
    });
    expect(await balance(buyer.id)).toBe(300);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: refundKey(c.id) } })).toBe(0);
    expect((await audits(c.id)).map((a) => a.action)).toEqual(["checkout.resolve"]);
  });

  it("refuses a checkout that never added credits", async () => {
    const admin = await createUser({ role: "admin" });
    const { c } = await underpaid();
    await expect(refundCheckout(ctx(admin.id), c.id)).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("recheck and resend", () => {
  it("re-check records what it found; the same request twice is one audit row", async () => {
    const admin = await createUser({ role: "admin" });
    const past = new Date(Date.now() - 86_400_000);
    const c = await checkoutRow({ status: "expired", createdAt: new Date(past.getTime() - 7_200_000), expiresAt: past, monitorUntil: past });
    const req = ctx(admin.id);
    expect(await recheckCheckout(req, c.id)).toMatchObject({ applied: true, message: expect.stringMatching(/Nothing new: still expired/) });
    expect(await recheckCheckout(req, c.id)).toMatchObject({ applied: false });
    expect(await audits(c.id)).toHaveLength(1);
  });

  it("resend records one email per request and needs a credited checkout", async () => {
    const admin = await createUser({ role: "admin" });
    const { c } = await underpaid();
    await expect(resendReceipt(ctx(admin.id), c.id)).rejects.toMatchObject({ code: "conflict" });
    await resolveCheckout(ctx(admin.id), c.id, "credit_full");
    const req = ctx(admin.id, "buyer lost the email");
    expect(await resendReceipt(req, c.id)).toMatchObject({ applied: true });
    expect(await resendReceipt(req, c.id)).toMatchObject({ applied: false });
    const mails = await db.outboundEmail.findMany({ where: { dedupKey: `receipt:${c.id}:resend:${req.requestId}` } });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("Credits added:");
  });
});

describe("adjustBalance", () => {
  it("credits and debits with key admin-adjust:<auditId>, once per request, never below zero", async () => {
    const admin = await createUser({ role: "admin" });
    const buyer = await createUser();
    const req = ctx(admin.id, "goodwill after an outage");
    expect(await adjustBalance(req, buyer.id, 100)).toMatchObject({ applied: true });
    expect(await adjustBalance(req, buyer.id, 100)).toMatchObject({ applied: false });
    expect(await balance(buyer.id)).toBe(100);
    expect(await db.ledgerEntry.findUniqueOrThrow({ where: { idempotencyKey: adjustKey(req.requestId) } })).toMatchObject({
      amount: 100,
      reason: "adjustment",
    });
    expect(await db.auditLog.findUniqueOrThrow({ where: { id: req.requestId } })).toMatchObject({
      action: "user.adjust_balance",
      targetId: buyer.id,
      reason: "goodwill after an outage",
    });
    await expect(adjustBalance(ctx(admin.id), buyer.id, -101)).rejects.toMatchObject({
      code: "insufficient_credits",
      message: expect.stringMatching(/balance is 100/),
    });
    expect(await adjustBalance(ctx(admin.id), buyer.id, -100)).toMatchObject({ applied: true });
    expect(await balance(buyer.id)).toBe(0);
    await expect(adjustBalance(ctx(admin.id), buyer.id, 0)).rejects.toMatchObject({ code: "validation_failed" });
  });
});

describe("setRole", () => {
  it("never revokes the last admin, even when two admins revoke each other at once", async () => {
    // This worker's database may hold admins from other files: make ours the only two.
    const a = await createUser({ role: "admin" });
    const b = await createUser({ role: "admin" });
    await db.user.updateMany({ where: { role: "admin", id: { notIn: [a.id, b.id] } }, data: { role: "buyer" } });
    const results = await Promise.allSettled([setRole(ctx(a.id), b.id, "buyer"), setRole(ctx(b.id), a.id, "buyer")]);
    expect(results.filter((r) => r.status === "fulfilled" && r.value.applied)).toHaveLength(1);
    expect(await db.user.count({ where: { role: "admin" } })).toBe(1);
    const last = await db.user.findFirstOrThrow({ where: { role: "admin" } });
    await expect(setRole(ctx(last.id), last.id, "buyer")).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/last admin/) });

    const c = await createUser();
    const grant = ctx(last.id, "new operator");
    expect(await setRole(grant, c.id, "admin")).toMatchObject({ applied: true });
    expect(await setRole(grant, c.id, "admin")).toMatchObject({ applied: false });
    expect(await setRole(ctx(last.id), c.id, "admin")).toMatchObject({ applied: false, message: expect.stringMatching(/already an admin/) });
    expect(await db.auditLog.findUniqueOrThrow({ where: { id: grant.requestId } })).toMatchObject({ action: "user.grant_admin", actorId: last.id });
    expect(await setRole(ctx(c.id), last.id, "buyer")).toMatchObject({ applied: true });
  });

  it("a revoke is recorded (ADMIN_EMAILS no longer promotes the account) and ends the person's sessions", async () => {
    const admin = await createUser({ role: "admin" });
    const target = await createUser({ role: "admin" });
    await db.user.update({ where: { id: target.id }, data: { emailVerified: new Date() } });
    const before = (await db.user.findUniqueOrThrow({ where: { id: target.id } })).sessionVersion;
    const revoke = ctx(admin.id, "left the company");
    expect(await setRole(revoke, target.id, "buyer")).toMatchObject({ applied: true });
    const after = await db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect(after.adminRevokedAt).not.toBeNull();
    expect(after.sessionVersion).toBe(before + 1);
    expect(await db.auditLog.findUniqueOrThrow({ where: { id: revoke.requestId } })).toMatchObject({ action: "user.revoke_admin", actorId: admin.id });

    // Listed in ADMIN_EMAILS and verified: the recorded revoke still wins.
    process.env.ADMIN_EMAILS = target.email;
    resetEnvForTests();
    try {
      expect((await syncAdminRole({ id: target.id, email: target.email, name: null, role: "buyer" })).role).toBe("buyer");
      // An admin granting it again clears the revoke (and is audited as a grant).
      expect(await setRole(ctx(admin.id), target.id, "admin")).toMatchObject({ applied: true });
      expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).adminRevokedAt).toBeNull();
    } finally {
      process.env.ADMIN_EMAILS = "";
      resetEnvForTests();
    }
  });
});
