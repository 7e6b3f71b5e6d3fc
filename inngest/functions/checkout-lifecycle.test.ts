import { createHash } from "node:crypto";
import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { receiptKey } from "@/lib/lifecycle/notify";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { checkoutActivity, inngest } from "../client";
import { checkoutLifecycle, onLifecycleFailure } from "./checkout-lifecycle";
import { reconcileCron } from "./reconcile";

// @inngest/test for every path of the lifecycle, against real PostgreSQL and the regtest
// simulator. Per ENVIRONMENT.md: a new engine per test, step.sleep / step.waitForEvent
// overridden in transformCtx (unmocked they hang), and step results checked to survive the
// JSON round-trip the real SDK applies.

let chain: Chain;

beforeAll(async () => {
  chain = await regtest();
});
afterAll(async () => {
  await (await simulator())?.close();
});
beforeEach(() => {
  chain.mine(1);
});

type Wait = (id: string, opts: { event: unknown; timeout: string; if?: string }) => Promise<unknown>;

/**
 * A fresh engine for the lifecycle, with waitForEvent and sleep replaced by test doubles. The
 * engine re-runs the handler from the top for every new step (as Inngest does), so each double
 * runs its side effect once per step id and then answers from memory, like a memoized step.
 */
function engine(checkoutId: string, waits: { waitForEvent?: Wait; sleep?: (id: string, d: string) => Promise<void> } = {}) {
  const memo = <A extends unknown[], R>(fn: (id: string, ...rest: A) => Promise<R>) => {
    const seen = new Map<string, Promise<R>>();
    return (id: string, ...rest: A) => {
      if (!seen.has(id)) seen.set(id, fn(id, ...rest));
      return seen.get(id)!;
    };
  };
  const waitForEvent = vi.fn<Wait>(memo(waits.waitForEvent ?? (async () => null)));
  const sleep = vi.fn(memo(waits.sleep ?? (async () => undefined)));
  const t = new InngestTestEngine({
    function: checkoutLifecycle,
    events: [{ name: "satchel/checkout.created", data: { checkoutId, source: "buyer" } }],
    transformCtx: (raw) => {
      const ctx = mockCtx(raw);
      (ctx.step as unknown as Record<string, unknown>).waitForEvent = waitForEvent;
      (ctx.step as unknown as Record<string, unknown>).sleep = sleep;
      return ctx;
    },
  });
  return { t, waitForEvent, sleep };
}

/** Distinct step ids a double was called with. */
const ids = (m: { mock: { calls: unknown[][] } }) => [...new Set(m.mock.calls.map((c) => c[0] as string))];

/** A step's stored result (@inngest/test keys state by the SHA-1 of the step id). */
function step(state: Record<string, Promise<unknown>>, id: string): Promise<unknown> {
  const p = state[createHash("sha1").update(id).digest("hex")];
  if (!p) throw new Error(`no step "${id}" in the run's state`);
  return p;
}

/** Every step result must equal itself after JSON (what Inngest stores and replays). */
async function expectJsonSafe(state: Record<string, Promise<unknown>>) {
  expect(Object.keys(state).length).toBeGreaterThan(0);
  for (const [id, p] of Object.entries(state)) {
    const value = await p.catch((e: unknown) => e);
    if (value instanceof Error) continue;
    expect(JSON.parse(JSON.stringify(value ?? null)), `step ${id}`).toEqual(value ?? null);
  }
}

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;

describe("checkout lifecycle (Inngest)", () => {
  it("pay and credit: observe → credit → notify, with JSON-safe step results", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    const { t, waitForEvent } = engine(checkout.id);
    const { result, state, ctx } = await t.execute();
    expect(result).toMatchObject({ checkoutId: checkout.id, status: "credited", credited: true, notify: "notified" });
    expect(waitForEvent).not.toHaveBeenCalled();
    expect(ctx.step.run).toHaveBeenCalledWith("credit", expect.any(Function));
    await expect(step(state, "credit")).resolves.toMatchObject({ outcome: "credited", credits: 500 });
    await expect(step(state, "observe-0")).resolves.toMatchObject({ status: "paid", watching: false, waitSeconds: 0 });
    await expectJsonSafe(state);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(await balance(user.id)).toBe(500);
    expect(await db.outboundEmail.count({ where: { dedupKey: receiptKey(checkout.id) } })).toBe(1);
  }, 30_000);

  it("activity event arrives: the run wakes, observes and credits", async () => {
    const { user, checkout } = await newCheckout();
    const { t, waitForEvent } = engine(checkout.id, {
      waitForEvent: async () => {
        payAndConfirm(chain, checkout); // the payment lands and confirms while we wait
        return { name: "satchel/checkout.activity", data: { checkoutId: checkout.id, source: "electrum" } };
      },
    });
    const { result, state } = await t.execute();
    expect(result).toMatchObject({ status: "credited", credited: true });
    expect(ids(waitForEvent)).toEqual(["wait-activity-1"]);
    expect(waitForEvent).toHaveBeenCalledWith("wait-activity-1", {
      event: checkoutActivity,
      timeout: "30s", // a fresh checkout: short waits
      if: `async.data.checkoutId == "${checkout.id}"`,
    });
    await expect(step(state, "observe-0")).resolves.toMatchObject({ status: "pending", watching: true, waitSeconds: 30 });
    await expect(step(state, "observe-1")).resolves.toMatchObject({ status: "paid" });
    await expectJsonSafe(state);
    expect(await balance(user.id)).toBe(500);
  }, 30_000);

  it("timeout → expire: nothing arrives by expiresAt, the run ends expired", async () => {
    const { user, checkout } = await newCheckout();
    const { t, waitForEvent } = engine(checkout.id, {
      waitForEvent: async () => {
        const past = new Date(Date.now() - 1000);
        await db.checkout.update({ where: { id: checkout.id }, data: { expiresAt: past, monitorUntil: past } });
        return null; // timed out
      },
    });
    const { result, state } = await t.execute();
    expect(result).toMatchObject({ checkoutId: checkout.id, status: "expired", exception: null, credited: false });
    expect(ids(waitForEvent)).toEqual(["wait-activity-1"]);
    await expect(step(state, "observe-1")).resolves.toMatchObject({ status: "expired", watching: false });
    await expectJsonSafe(state);
    expect(await balance(user.id)).toBe(0);
    const last = await db.checkoutEvent.findFirstOrThrow({ where: { checkoutId: checkout.id }, orderBy: { createdAt: "desc" } });
    expect(last).toMatchObject({ toStatus: "expired", cause: "expiry" });
  }, 30_000);

  it("late payment: after expiry it keeps watching until monitorUntil, records paid_late and credits nothing", async () => {
    const { user, checkout } = await newCheckout();
    const { t, waitForEvent } = engine(checkout.id, {
      waitForEvent: async (id) => {
        const round = Number(id.split("-").at(-1));
        const now = Date.now();
        if (round === 1) {
          // expired, but the late-payment window is still open
          await db.checkout.update({ where: { id: checkout.id }, data: { expiresAt: new Date(now - 1000), monitorUntil: new Date(now + 3_600_000) } });
          return null;
        }
        if (round === 2) {
          payAndConfirm(chain, checkout);
          return { name: "satchel/checkout.activity", data: { checkoutId: checkout.id } };
        }
        await db.checkout.update({ where: { id: checkout.id }, data: { expiresAt: new Date(now - 7_200_000), monitorUntil: new Date(now - 1000) } });
        return null;
      },
    });
    const { result, state } = await t.execute();
    expect(ids(waitForEvent)).toEqual(["wait-activity-1", "wait-activity-2", "wait-activity-3"]);
    await expect(step(state, "observe-1")).resolves.toMatchObject({ status: "expired", exception: null, watching: true });
    await expect(step(state, "observe-2")).resolves.toMatchObject({ status: "expired", exception: "paid_late", watching: true });
    expect(result).toMatchObject({ status: "expired", exception: "paid_late", credited: false });
    await expectJsonSafe(state);
    expect(await balance(user.id)).toBe(0);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkout.id) } })).toBe(0);
  }, 30_000);

  it("a duplicate run (retry, second event) changes nothing: one ledger entry, one receipt", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    await engine(checkout.id).t.execute();
    const { result, state } = await engine(checkout.id).t.execute();
    expect(result).toMatchObject({ status: "credited", notify: "already_notified" });
    await expect(step(state, "credit")).resolves.toMatchObject({ outcome: "already_credited" });
    expect(await balance(user.id)).toBe(500);
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkout.id) } })).toBe(1);
    expect(await db.outboundEmail.count({ where: { checkoutId: checkout.id } })).toBe(1);
  }, 30_000);

  it("failure: an unknown checkout is a permanent error (no retries)", async () => {
    const { t } = engine("no-such-checkout");
    const { error } = await t.execute();
    expect(error).toMatchObject({ name: "NonRetriableError" });
  }, 30_000);

  it("failure → onFailure: the checkout is flagged for admins and each admin gets one email", async () => {
    process.env.ADMIN_EMAILS = "ops@example.com,owner@example.com";
    const { resetEnvForTests } = await import("@/lib/env");
    resetEnvForTests();
    try {
      const { checkout } = await newCheckout();
      const failure = inngest.createFunction({ id: "checkout-lifecycle-failure-test", triggers: [{ event: "inngest/function.failed" }] }, onLifecycleFailure);
      const payload = {
        name: "inngest/function.failed",
        data: {
          function_id: "satchel-checkout-lifecycle",
          run_id: "01TESTRUN",
          error: { name: "Error", message: "Esplora at https://blockstream.info/api is unavailable" },
          event: { name: "satchel/checkout.created", data: { checkoutId: checkout.id } },
        },
      };
      for (let i = 0; i < 2; i++) {
        const t = new InngestTestEngine({ function: failure, events: [payload] as never });
        const { result, state } = await t.execute();
        expect(result).toMatchObject({ flagged: true, notified: 2 });
        await expectJsonSafe(state);
      }
      const row = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
      expect(row.needsAttention).toBe(true);
      expect(row.attentionReason).toMatch(/lifecycle failed.*Esplora .* unavailable/);
      const mails = await db.outboundEmail.findMany({ where: { checkoutId: checkout.id, dedupKey: { startsWith: "attention:" } } });
      expect(mails.map((m) => m.to).sort()).toEqual(["ops@example.com", "owner@example.com"]);
      expect(mails[0]!.text).toContain(`/admin/payments/${checkout.id}`);
    } finally {
      process.env.ADMIN_EMAILS = "";
      resetEnvForTests();
    }
  }, 30_000);
});

describe("reconcile cron (Inngest)", () => {
  it("runs one sweep in a step and returns JSON-safe counts", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    await db.checkout.update({ where: { id: checkout.id }, data: { lastObservedAt: new Date(Date.now() - 3_600_000) } });
    const t = new InngestTestEngine({ function: reconcileCron, events: [{ name: "inngest/scheduled.timer", data: { cron: "* * * * *" } }] as never });
    const { result, state } = await t.execute();
    expect(result).toMatchObject({ skipped: false });
    expect((result as { credited: number }).credited).toBeGreaterThanOrEqual(1);
    await expectJsonSafe(state);
    expect(await balance(user.id)).toBe(500);
  }, 60_000);
});
