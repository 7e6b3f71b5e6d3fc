import { randomUUID } from "node:crypto";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { describe, expect, it } from "vitest";
import { refundCheckout, resolveCheckout } from "@/lib/admin/actions";
import { creditCheckout } from "@/lib/checkouts/credit";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";
import { checkoutRow } from "@/test/rows";
import { receiptPdf, toWinAnsi } from "./pdf";
import { receiptFor } from "./receipt";

// The receipt a buyer downloads: what the PDF says (read back with pdfjs), and who may see it.

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const parts: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    for (const item of content.items) if ("str" in item) parts.push(item.str);
  }
  return parts.join("\n");
}

async function paidBtc() {
  const buyer = await createUser();
  await db.user.update({ where: { id: buyer.id }, data: { name: "Ada Buyer" } });
  const c = await checkoutRow({ userId: buyer.id, status: "paid", receivedAmount: 20_000n, expectedAmount: 20_000n, credits: 500, priceMinor: 2000 });
  const txid = "f".repeat(8) + randomUUID().replaceAll("-", "") + "0".repeat(24);
  await db.chainOutput.create({ data: { checkoutId: c.id, txid, vout: 1, sats: 20_000n, blockHeight: 10 } });
  return { buyer, c, txid };
}

describe("receipts", () => {
  it("the PDF holds the amounts, the rate, the credits and the txid", async () => {
    const { buyer, c, txid } = await paidBtc();
    await creditCheckout(c.id);
    const r = await receiptFor(c.id, { id: buyer.id, role: "buyer" });
    expect(r).not.toBeNull();
    const text = await pdfText(await receiptPdf(r!));
    expect(text).toContain("Receipt");
    expect(text).toContain(c.id);
    expect(text).toContain("$20.00");
    expect(text).toContain("0.0002 BTC (20,000 sats)");
    expect(text).toContain("1 BTC = $100,000 (fixed)");
    expect(text).toContain("Credits added");
    expect(text).toContain("500 credits");
    expect(text).not.toMatch(/USD cents|USD\/BTC|\bsat\b(?! )/);
    expect(text.replace(/\n/g, "")).toContain(txid);
    expect(text).toContain("Ada Buyer");
  });

  it("a partial credit shows the credits actually added; a provider rail shows its reference", async () => {
    const admin = await createUser({ role: "admin" });
    const buyer = await createUser();
    const c = await checkoutRow({
      userId: buyer.id,
      rail: "mpesa",
      address: null,
      externalRef: `ws_CO_${randomUUID()}`,
      status: "expired",
      exception: "underpaid",
      currency: "KES",
      priceMinor: 200000,
      expectedAmount: 2000n,
      receivedAmount: 1000n,
      credits: 500,
    });
    await resolveCheckout({ actorId: admin.id, requestId: randomUUID(), reason: "half paid" }, c.id, "credit_partial");
    const r = await receiptFor(c.id, { id: buyer.id, role: "buyer" });
    expect(r).toMatchObject({ creditsAdded: 250, providerReference: c.externalRef, txids: [] });
    const text = await pdfText(await receiptPdf(r!));
    expect(text).toContain("KES 1,000");
    expect(text).toContain(c.externalRef!);
    expect(text).toMatch(/Credits added\s+250 credits/);
  });

  it("a refunded payment says so on the receipt and the PDF, in the buyer's language", async () => {
    const admin = await createUser({ role: "admin" });
    const { buyer, c } = await paidBtc();
    await creditCheckout(c.id);
    await refundCheckout({ actorId: admin.id, requestId: randomUUID(), reason: "buyer asked" }, c.id);
    const r = await receiptFor(c.id, { id: buyer.id, role: "buyer" });
    expect(r).toMatchObject({ creditsAdded: 500, creditsRefunded: 500 });
    const text = await pdfText(await receiptPdf(r!));
    expect(text).toMatch(/Refunded/);
    expect(text).toMatch(/Credits refunded\s+500 credits/);
    expect(text).not.toMatch(/Status\s+Credited/);

    await db.user.update({ where: { id: buyer.id }, data: { locale: "sw" } });
    const sw = await pdfText(await receiptPdf((await receiptFor(c.id, { id: buyer.id, role: "buyer" }))!));
    expect(sw).toContain("Stakabadhi");
    expect(sw).toMatch(/Krediti zilizorudishwa\s+krediti 500/);
    expect(sw).toContain("0.0002 BTC (20,000 sats)");
  });

  it("only the owner (or an admin) gets a receipt, and only once credits landed", async () => {
    const { buyer, c } = await paidBtc();
    const other = await createUser();
    expect(await receiptFor(c.id, { id: buyer.id, role: "buyer" })).toBeNull(); // paid, not yet credited
    await creditCheckout(c.id);
    expect(await receiptFor(c.id, { id: other.id, role: "buyer" })).toBeNull();
    expect(await receiptFor(c.id, { id: other.id, role: "admin" })).not.toBeNull();
    expect(await receiptFor("no-such-checkout", { id: buyer.id, role: "buyer" })).toBeNull();
  });

  it("text outside the PDF font's range is replaced, not fatal", () => {
    expect(toWinAnsi("Nov 23, 2026,\u202f3:26 PM — €5 ₿ 日本")).toBe("Nov 23, 2026, 3:26 PM — €5 ? ??");
  });
});
