import { createHash } from "node:crypto";
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { simulator } from "@/lib/rails/bitcoin/client";
import { hotWalletFromSeed } from "@/lib/rails/bitcoin/hot-wallet";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { ABANDON, newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { checkoutLifecycle } from "./checkout-lifecycle";

// The lifecycle's forwarding path (BTC_ADDRESS_SOURCE=hot): credit → forward (broadcast,
// sleep, check again until confirmed) → notify.

const FORWARD = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);
let chain: Chain;

beforeAll(async () => {
  chain = await regtest({ BTC_ADDRESS_SOURCE: "hot", BTC_HOT_SEED: ABANDON, BTC_FORWARD_ADDRESS: FORWARD });
});
afterAll(async () => {
  await (await simulator())?.close();
});

const step = (state: Record<string, Promise<unknown>>, id: string) => state[createHash("sha1").update(id).digest("hex")]!;

it("forwarding: the sweep is broadcast, the run sleeps until it confirms, then forwarded and notified", async () => {
  const { user, checkout } = await newCheckout();
  payAndConfirm(chain, checkout);
  const slept = new Map<string, Promise<void>>();
  const sleep = vi.fn((id: string) => {
    // a block arrives while the run sleeps (once per sleep step, however often the handler replays)
    if (!slept.has(id)) slept.set(id, Promise.resolve(void chain.mine(1)));
    return slept.get(id)!;
  });
  const t = new InngestTestEngine({
    function: checkoutLifecycle,
    events: [{ name: "satchel/checkout.created", data: { checkoutId: checkout.id } }],
    transformCtx: (raw) => {
      const ctx = mockCtx(raw);
      (ctx.step as unknown as Record<string, unknown>).sleep = sleep;
      (ctx.step as unknown as Record<string, unknown>).waitForEvent = vi.fn(async () => null);
      return ctx;
    },
  });
  const { result, state } = await t.execute();
  expect(result).toMatchObject({ status: "forwarded", credited: true, afterCredit: "forwarded", notify: "notified" });
  const sweep = await db.sweepTransaction.findUniqueOrThrow({ where: { checkoutId_seq: { checkoutId: checkout.id, seq: 0 } } });
  await expect(step(state, "after-credit-0")).resolves.toMatchObject({ outcome: "broadcast", txid: sweep.txid });
  await expect(step(state, "after-credit-1")).resolves.toMatchObject({ outcome: "forwarded", txid: sweep.txid });
  expect([...slept.keys()]).toEqual(["wait-after-credit-0"]);
  expect(sleep).toHaveBeenCalledWith("wait-after-credit-0", "10m");
  for (const id of ["credit", "after-credit-0", "after-credit-1", "notify"]) {
    const v = await step(state, id);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  }
  const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
  expect(row.status).toBe("forwarded");
  expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).balance).toBe(500);
}, 60_000);
