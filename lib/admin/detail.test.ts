import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import { ABANDON, regtest } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { checkoutRow } from "@/test/rows";
import { resolveCheckout, retryForwarding } from "./actions";
import { paymentDetail } from "./detail";

// Which actions the payment page offers an admin, and that the server refuses the ones it
// does not offer (a server action is a public endpoint: a hidden button proves nothing).

afterAll(async () => {
  await (await simulator())?.close();
});

const FORWARD = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);
const ctx = (actorId: string) => ({ actorId, requestId: randomUUID(), reason: "checked with the buyer" });
const can = async (id: string) => (await paymentDetail(id))!.can;

describe("Credit in full", () => {
  it("is not offered, and refused, on a checkout that received nothing", async () => {
    await regtest();
    const admin = await createUser({ role: "admin" });
    const empty = await checkoutRow({ status: "expired", receivedAmount: 0n });
    expect(await can(empty.id)).toMatchObject({ resolve: true, creditFull: false });
    await expect(resolveCheckout(ctx(admin.id), empty.id, "credit_full")).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/Nothing was received/),
    });
    const row = await db.checkout.findUniqueOrThrow({ where: { id: empty.id } });
    expect(row).toMatchObject({ status: "expired", creditedAt: null });
    expect(await db.auditLog.count({ where: { targetId: empty.id } })).toBe(0);
    // Marking it invalid is still possible.
    expect(await resolveCheckout(ctx(admin.id), empty.id, "invalid")).toMatchObject({ applied: true });
  });

  it("is offered on a checkout that received part of the amount", async () => {
    await regtest();
    const short = await checkoutRow({ status: "expired", exception: "underpaid", receivedAmount: 5_000n });
    expect(await can(short.id)).toMatchObject({ resolve: true, creditFull: true });
  });
});

describe("Retry forwarding", () => {
  it("is not shown, and refused, in watch-only (xpub) mode", async () => {
    await regtest({ BTC_ADDRESS_SOURCE: "xpub" });
    const admin = await createUser({ role: "admin" });
    const c = await checkoutRow({ status: "credited", receivedAmount: 20_000n, derivationIndex: 7, creditedAt: new Date() });
    expect((await can(c.id)).forward).toBe(false);
    await expect(retryForwarding(ctx(admin.id), c.id)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/watch-only/) });
    expect(await db.auditLog.count({ where: { targetId: c.id } })).toBe(0);
  });

  it("is shown in hot-wallet mode for a credited checkout", async () => {
    await regtest({ BTC_ADDRESS_SOURCE: "hot", BTC_HOT_SEED: ABANDON, BTC_FORWARD_ADDRESS: FORWARD });
    const c = await checkoutRow({ status: "credited", receivedAmount: 20_000n, derivationIndex: 8, creditedAt: new Date() });
    expect((await can(c.id)).forward).toBe(true);
  });
});
