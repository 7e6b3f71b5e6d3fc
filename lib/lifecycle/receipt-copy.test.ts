import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { uniqueEmail } from "@/test/factories";
import { checkoutRow } from "@/test/rows";
import { notifyCredited, receiptKey } from "./notify";

// The shop gets its own copy of every receipt when RECEIPTS_BCC (or the older EMAIL_BCC) names
// an address — once, however often notify runs, and the buyer's receipt is unchanged.

afterEach(() => {
  delete process.env.RECEIPTS_BCC;
  delete process.env.EMAIL_BCC;
  resetEnvForTests();
});

const mailsFor = (checkoutId: string) => db.outboundEmail.findMany({ where: { checkoutId }, orderBy: { dedupKey: "asc" } });

describe("receipt copies for the shop", () => {
  it("RECEIPTS_BCC: one copy per address with the receipt's lines, sent once", async () => {
    const shop = uniqueEmail("shop");
    process.env.RECEIPTS_BCC = ` ${shop.toUpperCase()} `;
    resetEnvForTests();
    const c = await checkoutRow({ status: "credited", creditedAt: new Date() });
    const buyer = await db.user.findUniqueOrThrow({ where: { id: c.userId } });
    await notifyCredited(c.id);
    await db.checkout.update({ where: { id: c.id }, data: { notifiedAt: null } });
    await notifyCredited(c.id);
    const mails = await mailsFor(c.id);
    expect(mails.map((m) => m.to).sort()).toEqual([buyer.email, shop].sort());
    const copy = mails.find((m) => m.to === shop)!;
    const receipt = mails.find((m) => m.dedupKey === receiptKey(c.id))!;
    expect(copy.subject).toBe(`Copy: ${receipt.subject}`);
    expect(copy.text).toContain(`Copy of the receipt sent to ${buyer.email}.`);
    expect(copy.text).toContain(receipt.text);
    expect(receipt.to).toBe(buyer.email);
    expect(receipt.text).not.toContain(shop);
  });

  it("EMAIL_BCC works the same; unset, only the buyer's receipt", async () => {
    const shop = uniqueEmail("shop-old");
    process.env.EMAIL_BCC = shop;
    resetEnvForTests();
    const c = await checkoutRow({ status: "credited", creditedAt: new Date() });
    await notifyCredited(c.id);
    expect((await mailsFor(c.id)).map((m) => m.to)).toContain(shop);

    delete process.env.EMAIL_BCC;
    resetEnvForTests();
    const d = await checkoutRow({ status: "credited", creditedAt: new Date() });
    await notifyCredited(d.id);
    expect(await mailsFor(d.id)).toHaveLength(1);
  });
});
