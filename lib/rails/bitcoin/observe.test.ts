import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { createBtcCheckout } from "@/test/bitcoin";
import { createUser } from "@/test/factories";
import { observeBtcCheckout } from "@/test/rails";
import { simulator } from "./client";
import { resetBitcoinSettingsForTests } from "./config";
import { resetRateSourceForTests } from "./rate";
import type { Chain } from "./sandbox/chain";

// Observation end to end against real Postgres and the Esplora simulator over HTTP:
// the same code path the page poll and the background sweep use.

let chain: Chain;

beforeAll(async () => {
  Object.assign(process.env, {
    BTC_NETWORK: "regtest",
    RATE_SOURCE: "fixed",
    BTC_FIXED_RATE: "100000",
    BTC_CONFIRMATIONS: "3",
    CHECKOUT_RATE_LIMIT_PER_HOUR: "1000",
  });
  delete process.env.ESPLORA_API_URL;
  delete process.env.BTC_XPUB;
  resetEnvForTests();
  resetBitcoinSettingsForTests();
  resetRateSourceForTests();
  chain = (await simulator()!).chain;
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});

afterAll(async () => {
  await (await simulator())?.close();
});

async function newCheckout() {
  const user = await createUser();
  const { id } = await createBtcCheckout(user.id, "medium");
  return db.checkout.findUniqueOrThrow({ where: { id } });
}

const timeline = (id: string) =>
  db.checkoutEvent.findMany({ where: { checkoutId: id }, orderBy: { createdAt: "asc" }, select: { toStatus: true, message: true, cause: true } });

describe("createBtcCheckout", () => {
  it("locks the rate and converts $20 at 100,000 USD/BTC to 20,000 sats", async () => {
    const c = await newCheckout();
    expect(c.expectedAmount).toBe(20_000n);
    expect(c).toMatchObject({
      status: "pending",
      rail: "btc",
      amountUnit: "sat",
      rateValue: "100000",
      rateSource: "fixed",
      credits: 500,
      priceMinor: 2000,
      confirmationsRequired: 3,
    });
    expect(c.address).toMatch(/^bcrt1q/);
    expect(c.expiresAt.getTime() - c.createdAt.getTime()).toBeCloseTo(60 * 60_000, -4);
  });

  it("never hands two concurrent checkouts the same address or index", async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createUser()));
    const created = await Promise.all(users.map((u) => createBtcCheckout(u.id, "medium")));
    const rows = await db.checkout.findMany({ where: { id: { in: created.map((c) => c.id) } }, select: { address: true, derivationIndex: true } });
    expect(new Set(rows.map((r) => r.address)).size).toBe(20);
    expect(new Set(rows.map((r) => r.derivationIndex)).size).toBe(20);
  });
});

describe("observeBtcCheckout", () => {
  beforeEach(() => {
    chain.mine(1); // a clean mempool for each case
  });

  it("moves pending → confirming → paid as blocks arrive, idempotently", async () => {
    const c = await newCheckout();
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);

    const seen = await observeBtcCheckout(c.id);
    expect(seen).toMatchObject({ status: "confirming", exception: null, changed: true });
    const again = await observeBtcCheckout(c.id);
    expect(again.changed).toBe(false);
    const afterSeen = await db.checkout.findUniqueOrThrow({ where: { id: c.id } });
    expect(afterSeen.receivedAmount).toBe(c.expectedAmount);
    expect(afterSeen.seenAt).not.toBeNull();

    chain.mine(2);
    expect((await observeBtcCheckout(c.id)).status).toBe("confirming");
    chain.mine(1);
    const paid = await observeBtcCheckout(c.id);
    expect(paid).toMatchObject({ status: "paid", changed: true });
    expect((await observeBtcCheckout(c.id)).changed).toBe(false);

    const row = await db.checkout.findUniqueOrThrow({ where: { id: c.id }, include: { outputs: true } });
    expect(row).toMatchObject({ status: "paid", confirmations: 3 });
    expect(row.paidAt).not.toBeNull();
    expect(row.outputs).toHaveLength(1);
    const events = await timeline(c.id);
    expect(events.map((e) => [e.toStatus, e.message.replace(/[0-9a-f]{12}…/, "<txid>")])).toEqual([
      ["pending", expect.stringMatching(/^checkout started: 20000 sats for Medium/)],
      ["pending", "payment seen: 20000 sats in <txid>"],
      ["confirming", "payment seen, waiting for confirmations"],
      ["confirming", "2 of 3 confirmations"],
      ["paid", "payment confirmed (3 confirmations)"],
    ]);
  });

  it("a payment first seen already in a block still gets its '1 of 3 confirmations' entry", async () => {
    const c = await newCheckout();
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    chain.mine(1); // mined before Satchel first looks
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "confirming", changed: true });
    chain.mine(1);
    await observeBtcCheckout(c.id);
    chain.mine(1);
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "paid" });
    const events = await timeline(c.id);
    expect(events.slice(2).map((e) => [e.toStatus, e.message])).toEqual([
      ["confirming", "payment seen, waiting for confirmations"],
      ["confirming", "1 of 3 confirmations"],
      ["confirming", "2 of 3 confirmations"],
      ["paid", "payment confirmed (3 confirmations)"],
    ]);
  });

  it("records an underpayment and its top-up", async () => {
    const c = await newCheckout();
    chain.pay([{ address: c.address!, sats: c.expectedAmount / 2n }]);
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "confirming", exception: "underpaid" });
    chain.pay([{ address: c.address!, sats: c.expectedAmount / 2n }]);
    chain.mine(3);
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "paid", exception: "multiple" });
  });

  it("goes back when a reorg un-confirms the payment, and is paid again after", async () => {
    const c = await newCheckout();
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    chain.mine(2);
    await observeBtcCheckout(c.id);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: c.id } })).confirmations).toBe(2);
    chain.reorg(2);
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "confirming", changed: true });
    expect((await db.checkout.findUniqueOrThrow({ where: { id: c.id } })).confirmations).toBe(0);
    chain.mine(3);
    expect((await observeBtcCheckout(c.id)).status).toBe("paid");
  });

  it("marks a double-spent payment invalid and keeps its output on record", async () => {
    const c = await newCheckout();
    const txid = chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    await observeBtcCheckout(c.id);
    chain.replace(txid);
    expect(await observeBtcCheckout(c.id)).toMatchObject({ status: "pending", exception: "invalid" });
    const outputs = await db.chainOutput.findMany({ where: { checkoutId: c.id } });
    expect(outputs).toHaveLength(1);
    expect(outputs[0]!.goneAt).not.toBeNull();
  });

  it("expires a checkout nobody paid", async () => {
    const c = await newCheckout();
    const later = new Date(c.expiresAt.getTime() + 1000);
    expect(await observeBtcCheckout(c.id, { now: later })).toMatchObject({ status: "expired", exception: null });
    const events = await timeline(c.id);
    expect(events.at(-1)).toMatchObject({ toStatus: "expired", cause: "expiry" });
  });

  it("concurrent observers apply each change once", async () => {
    const c = await newCheckout();
    chain.pay([{ address: c.address!, sats: c.expectedAmount }]);
    chain.mine(3);
    const results = await Promise.all(Array.from({ length: 8 }, () => observeBtcCheckout(c.id)));
    expect(results.every((r) => r.status === "paid")).toBe(true);
    const events = await timeline(c.id);
    expect(events.filter((e) => e.toStatus === "paid" && e.message.startsWith("payment confirmed"))).toHaveLength(1);
    expect(await db.chainOutput.count({ where: { checkoutId: c.id } })).toBe(1);
  });

  it("answers 404 for unknown checkouts", async () => {
    await expect(observeBtcCheckout("nope")).rejects.toMatchObject({ code: "not_found" });
  });
});
