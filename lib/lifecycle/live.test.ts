import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, regtest } from "@/test/bitcoin";
import { liveCheckout, OBSERVE_EVERY_MS } from "./live";

// What one status poll (GET /api/checkouts/[id], which is liveCheckout) costs the database:
// every statement that reaches PostgreSQL is counted at the driver, and reads of the Checkout
// row are at most three — who asks and what it needs, the observation's compare-and-set, the view.

let chain: Chain;
beforeAll(async () => {
  chain = await regtest();
});
afterAll(async () => {
  await (await simulator())?.close();
});

/** Runs fn and returns the SQL statements it sent. */
async function statements(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, "query").mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const q = args[0];
    seen.push(typeof q === "string" ? q : ((q as { text?: string })?.text ?? ""));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

const checkoutReads = (sql: string[]) => sql.filter((s) => /^\s*SELECT\b/i.test(s) && /FROM\s+"public"\."Checkout"(\s|$)/.test(s));

describe("a status poll", () => {
  it("reads the checkout row at most 3 times when it observes the chain, and 2 when it does not", async () => {
    const { user, checkout } = await newCheckout();
    await db.checkout.update({ where: { id: checkout.id }, data: { lastObservedAt: new Date(Date.now() - 60_000) } });
    chain.mine(1);
    const viewer = { id: user.id, role: "buyer" as const };

    const observing = await statements(async () => expect(await liveCheckout(checkout.id, viewer)).toMatchObject({ status: "pending", networkOk: true }));
    expect(observing.length).toBeGreaterThan(0); // the counter sees the driver's traffic
    expect(checkoutReads(observing).length).toBeLessThanOrEqual(3);
    expect(await db.checkout.findUniqueOrThrow({ where: { id: checkout.id }, select: { lastObservedAt: true } })).toMatchObject({
      lastObservedAt: expect.any(Date),
    });

    // Looked at within OBSERVE_EVERY_MS (by another poller, say): this poll only reads. (The
    // stamp is set ahead so a slow machine cannot make the throttle lapse mid-test.)
    expect(OBSERVE_EVERY_MS).toBeGreaterThan(500);
    await db.checkout.update({ where: { id: checkout.id }, data: { lastObservedAt: new Date(Date.now() + 60_000) } });
    const quiet = await statements(() => liveCheckout(checkout.id, viewer));
    expect(checkoutReads(quiet).length).toBeLessThanOrEqual(2);
  });
});
