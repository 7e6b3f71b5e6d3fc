import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckout } from "@/lib/checkouts/create";
import { creditKey } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { advanceCheckout } from "@/lib/lifecycle/advance";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { reconcile } from "@/lib/lifecycle/reconcile";
import { EVENTS } from "@/lib/outbox/outbox";
import { RAILS } from "@/lib/rails/registry";
import { createUser } from "@/test/factories";
import { webhookRoute } from "@/test/rails";
import { memoryProvider } from "./client";
import { installMemoryRail } from "./install";
import { memoryRail } from "./rail";

// The proof that a rail is a plug-in: a rail that exists only in this folder (against an
// in-memory provider) runs the whole lifecycle — start, webhook, observe, credit exactly once,
// expire, a late payment — through the product's own core, registered with one line and
// allowed by its own migration. Nothing in lib/ knows it exists.

const post = webhookRoute("memory");
const send = ({ body, signature }: { body: string; signature: string }) =>
  post(new Request("http://x/api/webhooks/memory", { method: "POST", headers: { "content-type": "application/json", "x-memory-signature": signature }, body }));

beforeAll(async () => {
  // The rail's migration, then its one registry line (install.ts).
  await installMemoryRail();

  for (const k of ["INNGEST_DEV", "INNGEST_SIGNING_KEY", "SMTP_URL", "OMNISEND_API_KEY"]) delete process.env[k];
  process.env.CHECKOUT_RATE_LIMIT_PER_HOUR = "10000";
  resetEnvForTests();
  registerLocalHandlers();
  await db.creditPackage.upsert({
    where: { slug: "medium" },
    update: {},
    create: { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  });
});
afterAll(() => {
  RAILS.splice(RAILS.indexOf(memoryRail), 1);
});

const balance = async (userId: string) => (await db.user.findUniqueOrThrow({ where: { id: userId } })).balance;
const row = (id: string) => db.checkout.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { createdAt: "asc" } } } });

async function started() {
  const user = await createUser();
  const { checkoutId } = await createCheckout({ rail: "memory", userId: user.id, packageId: "medium" });
  const c = await row(checkoutId);
  return { user, checkoutId, paymentId: c.externalRef! };
}

describe("a rail that only the test suite knows", () => {
  it("start → webhook → observe → credit exactly once → receipt, through the same core", async () => {
    const { user, checkoutId, paymentId } = await started();
    let c = await row(checkoutId);
    expect(c).toMatchObject({ rail: "memory", status: "pending", expectedAmount: 2000n, amountUnit: "USD cents" });
    expect(c.events.map((e) => [e.toStatus, e.cause])).toEqual([["pending", "buyer"]]);
    // The lifecycle is started for it like for every rail.
    expect(await db.eventOutbox.count({ where: { name: EVENTS.created, data: { path: ["checkoutId"], equals: checkoutId } } })).toBe(1);

    // The provider reports "processing" by webhook: stored, verified, applied once.
    const hook = memoryProvider.webhook(memoryProvider.act(paymentId, { kind: "process" }).id);
    const res = await send(hook);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "processed", duplicate: false });
    expect(await (await send(hook)).json()).toMatchObject({ duplicate: true });
    expect((await row(checkoutId)).status).toBe("confirming");

    // The buyer pays; the webhook is lost. Observations (the page poll, the sweep, Inngest)
    // find it — twenty at once credit exactly once.
    memoryProvider.act(paymentId, { kind: "pay" });
    const runs = await Promise.all(Array.from({ length: 20 }, () => advanceCheckout(checkoutId)));
    expect(runs.filter((r) => r.did.includes("credited"))).toHaveLength(1);
    c = await row(checkoutId);
    expect(c).toMatchObject({ status: "credited", exception: null, receivedAmount: 2000n });
    expect(c.notifiedAt).not.toBeNull();
    expect(await db.ledgerEntry.count({ where: { idempotencyKey: creditKey(checkoutId) } })).toBe(1);
    expect(await balance(user.id)).toBe(500);
    expect(c.events.map((e) => e.toStatus)).toEqual(["pending", "confirming", "paid", "credited", "credited"]);
  });

  it("expires when nothing is paid by expiresAt, and a late payment inside the window still counts", async () => {
    const { user, checkoutId, paymentId } = await started();
    const c = await row(checkoutId);
    const later = new Date(c.expiresAt.getTime() + 1_000);
    await db.checkout.update({ where: { id: checkoutId }, data: { lastObservedAt: null } });
    await reconcile({ now: later });
    const expired = await row(checkoutId);
    expect(expired).toMatchObject({ status: "expired", exception: null });
    expect(expired.events.at(-1)).toMatchObject({ toStatus: "expired", cause: "expiry" });
    expect(await balance(user.id)).toBe(0);

    // The provider confirms the payment the buyer started in time: paid, credited.
    const res = await send(memoryProvider.webhook(memoryProvider.act(paymentId, { kind: "pay" }).id));
    expect(res.status).toBe(200);
    await advanceCheckout(checkoutId);
    expect(await row(checkoutId)).toMatchObject({ status: "credited", exception: null });
    expect(await balance(user.id)).toBe(500);
  });

  it("a failure is shown to the buyer; a forged webhook is 401, stored rejected, and moves nothing", async () => {
    const { checkoutId, paymentId } = await started();
    const forged = memoryProvider.webhook(memoryProvider.act(paymentId, { kind: "pay" }).id, "not-the-secret");
    expect((await send(forged)).status).toBe(401);
    expect(await db.webhookInbox.count({ where: { provider: "memory", status: "rejected", body: forged.body } })).toBe(1);
    expect((await row(checkoutId)).status).toBe("pending");

    memoryProvider.act(paymentId, { kind: "fail", reason: "Card declined" });
    await send(memoryProvider.webhook(paymentId));
    expect(await row(checkoutId)).toMatchObject({ status: "failed", failureMessage: "Card declined" });
  });
});
