import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { checkoutRow, rand } from "@/test/rows";
import { resolveCheckout } from "./actions";
import { gapStatus, metrics, openExceptions } from "./metrics";

// The overview's figures against rows seeded for a private two-day window (far in the past,
// so rows other test files leave in this worker's database never fall inside it).

const day0 = new Date(Date.UTC(2001, 0, 1 + Math.floor(Math.random() * 3000)));
const at = (dayOffset: number, h: number, m = 0, s = 0) => new Date(day0.getTime() + dayOffset * 86_400_000 + ((h * 60 + m) * 60 + s) * 1000);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

describe("metrics", () => {
  it("revenue per day per rail, statuses, conversion and median seen → credited match the seeded rows", async () => {
    await checkoutRow({ status: "credited", priceMinor: 2000, createdAt: at(0, 9), seenAt: at(0, 10), creditedAt: at(0, 10, 10) }); // 600 s
    await checkoutRow({ status: "forwarded", priceMinor: 500, createdAt: at(0, 23), seenAt: at(1, 9), creditedAt: at(1, 9, 30) }); // 1800 s
    await checkoutRow({
      rail: "mpesa",
      status: "credited",
      priceMinor: 5000,
      currency: "KES",
      address: null,
      createdAt: at(1, 11),
      seenAt: at(1, 12),
      creditedAt: at(1, 12, 1),
    }); // 60 s
    await checkoutRow({ status: "expired", exception: "underpaid", receivedAmount: 5_000n, createdAt: at(0, 8) });
    await checkoutRow({ status: "pending", createdAt: at(1, 20) });
    // Outside the window on both sides: never counted.
    await checkoutRow({ status: "credited", priceMinor: 999, createdAt: at(-1, 12), seenAt: at(-1, 12), creditedAt: at(-1, 13) });
    await checkoutRow({ status: "credited", priceMinor: 999, createdAt: at(2, 0), seenAt: at(2, 0), creditedAt: at(2, 0, 5) });

    const m = await metrics({ from: at(0, 0), to: at(2, 0) });
    expect(m.revenue).toEqual([
      { day: ymd(at(0, 0)), rail: "btc", currency: "USD", amountMinor: 2000, count: 1 },
      { day: ymd(at(1, 0)), rail: "btc", currency: "USD", amountMinor: 500, count: 1 },
      { day: ymd(at(1, 0)), rail: "mpesa", currency: "KES", amountMinor: 5000, count: 1 },
    ]);
    expect(m.byStatus).toEqual({ credited: 2, forwarded: 1, expired: 1, pending: 1 });
    expect(m.conversion).toEqual({ created: 5, credited: 3, rate: 0.6 });
    expect(m.medianSeenToCreditedSeconds).toBe(600);
  });

  it("an empty window has no revenue, no conversion rate and no median", async () => {
    const m = await metrics({ from: at(-400, 0), to: at(-399, 0) });
    expect(m).toMatchObject({ revenue: [], byStatus: {}, conversion: { created: 0, credited: 0, rate: null }, medianSeenToCreditedSeconds: null });
  });

  it("open exceptions: unresolved settled exceptions and flagged checkouts, until an admin resolves them", async () => {
    const admin = await createUser({ role: "admin" });
    const before = (await metrics({ from: at(0, 0), to: at(1, 0) })).openExceptions;
    const underpaid = await checkoutRow({ status: "expired", exception: "underpaid", receivedAmount: 1_000n });
    await checkoutRow({ status: "confirming", exception: "underpaid", receivedAmount: 1_000n }); // still open: the buyer may pay the rest
    await checkoutRow({ status: "expired", exception: null }); // nothing paid: nothing to do
    const flagged = await checkoutRow({ status: "credited", needsAttention: true });
    expect((await metrics({ from: at(0, 0), to: at(1, 0) })).openExceptions).toBe(before + 2);
    const list = await openExceptions(1000);
    expect(list.map((r) => r.id)).toEqual(expect.arrayContaining([underpaid.id, flagged.id]));

    await resolveCheckout({ actorId: admin.id, requestId: randomUUID(), reason: "customer paid the rest by card" }, underpaid.id, "invalid");
    await db.checkout.update({ where: { id: flagged.id }, data: { needsAttention: false } });
    expect((await metrics({ from: at(0, 0), to: at(1, 0) })).openExceptions).toBe(before);
  });
});

describe("gapStatus", () => {
  it("counts addresses handed out after the last funded one of this wallet, and warns from 15", async () => {
    const key = `test:${rand()}`;
    const derive = (i: number) => `bcrt1q${key.slice(5)}x${i}`;
    await db.addressCursor.create({ data: { walletKey: key, nextIndex: 20 } });
    await checkoutRow({ derivationIndex: 2, address: derive(2), receivedAmount: 20_000n, status: "credited" });
    await checkoutRow({ derivationIndex: 3, address: derive(3) }); // handed out, never paid
    await checkoutRow({ derivationIndex: 7, address: `bcrt1qother${rand()}`, receivedAmount: 5n }); // another wallet's index 7
    const g = await gapStatus(key, derive);
    expect(g).toMatchObject({ handedOut: 20, lastFundedIndex: 2, unused: 17, limit: 20, warn: true });

    await checkoutRow({ derivationIndex: 9, address: derive(9), receivedAmount: 1n, status: "expired", exception: "underpaid" });
    expect(await gapStatus(key, derive)).toMatchObject({ lastFundedIndex: 9, unused: 10, warn: false });
  });

  it("a wallet with nothing funded: every handed-out address is unused", async () => {
    const key = `test:${rand()}`;
    await db.addressCursor.create({ data: { walletKey: key, nextIndex: 15 } });
    expect(await gapStatus(key, (i) => `none-${key}-${i}`)).toMatchObject({ handedOut: 15, lastFundedIndex: null, unused: 15, warn: true });
  });
});
