import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import type { FakeDaraja } from "@/lib/rails/mpesa/sandbox/server";
import { createUser } from "@/test/factories";
import { mpesaSandbox } from "@/test/mpesa";
import { startMpesaCheckout } from "@/test/rails";
import { resendCheckout as resendMpesaPrompt } from "./actions";

// "Didn't get the prompt? Send it again": never a second live prompt for one purchase. In this
// setup the fake Daraja's callbacks go nowhere (APP_URL is the discard port) — exactly the
// lost-callback case the button exists for.

let fake: FakeDaraja;
beforeAll(async () => {
  fake = await mpesaSandbox();
});
afterAll(async () => {
  await stopLocalDaraja();
});

async function started() {
  const user = await createUser();
  const { checkoutId } = await startMpesaCheckout({ userId: user.id, packageId: "medium", phone: "0712345678" });
  const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, include: { mpesa: true } });
  return { user, id: checkoutId, requestId: c.mpesa!.checkoutRequestId! };
}

const checkoutsOf = (userId: string) => db.checkout.count({ where: { userId } });

describe("resending an M-Pesa prompt", () => {
  it("refuses while M-Pesa still holds the first prompt open, and sends nothing", async () => {
    const { user, id } = await started();
    const pushes = fake.stats.push;
    await expect(resendMpesaPrompt(id, user.id)).rejects.toMatchObject({ code: "conflict" });
    expect(fake.stats.push).toBe(pushes);
    expect(await checkoutsOf(user.id)).toBe(1);
    expect((await db.checkout.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
  });

  it("when the first prompt ended unpaid (its callback lost), records why and prompts again on a new checkout", async () => {
    const { user, id, requestId } = await started();
    await fake.act(requestId, "cancel"); // the buyer dismissed it; the callback never reached us
    const pushes = fake.stats.push;
    const { checkoutId } = await resendMpesaPrompt(id, user.id);
    expect(checkoutId).not.toBe(id);
    expect(fake.stats.push).toBe(pushes + 1);
    expect(await db.checkout.findUniqueOrThrow({ where: { id }, include: { mpesa: true } })).toMatchObject({ status: "failed", mpesa: { resultCode: 1032 } });
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkoutId } })).status).toBe("pending");
  });

  it("when the first prompt was paid after all, sends nothing and the checkout moves on", async () => {
    const { user, id, requestId } = await started();
    await fake.act(requestId, "approve");
    const pushes = fake.stats.push;
    expect(await resendMpesaPrompt(id, user.id)).toEqual({ checkoutId: id });
    expect(fake.stats.push).toBe(pushes);
    expect(["paid", "credited"]).toContain((await db.checkout.findUniqueOrThrow({ where: { id } })).status);
  });

  it("is the owner's only", async () => {
    const { id } = await started();
    const other = await createUser();
    await expect(resendMpesaPrompt(id, other.id)).rejects.toMatchObject({ code: "not_found" });
  });
});
