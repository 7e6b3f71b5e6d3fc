import { describe, expect, it } from "vitest";
import { checkoutScreen, type ScreenInput } from "./state";

// What the checkout page shows for every status × exception × rail (components/checkout/state.ts).

const base: ScreenInput = {
  rail: "btc",
  status: "pending",
  exception: null,
  expectedAmount: "20000",
  receivedAmount: "0",
  remainingAmount: "20000",
  confirmations: 0,
  confirmationsRequired: 3,
  seenAt: null,
  outputs: [],
};
const out = (sats: string, gone = false) => ({ txid: `t${sats}`, vout: 0, sats, confirmed: false, gone });
const steps = (s: ReturnType<typeof checkoutScreen>) => s.steps.map((x) => `${x.key}:${x.state}`);

describe("the checkout screen", () => {
  it("asks for the full amount while nothing arrived", () => {
    const s = checkoutScreen(base);
    expect(s).toMatchObject({ phase: "pay", due: "20000", excess: null, open: true });
    expect(steps(s)).toEqual(["awaiting:current", "received:todo", "confirming:todo", "paid:todo"]);
  });

  it("after an underpayment asks for the remainder only, and marks it underpaid", () => {
    const s = checkoutScreen({
      ...base,
      status: "confirming",
      exception: "underpaid",
      receivedAmount: "10000",
      remainingAmount: "10000",
      outputs: [out("10000")],
    });
    expect(s).toMatchObject({ phase: "remainder", due: "10000" });
    expect(steps(s)).toEqual(["awaiting:done", "underpaid:warn", "confirming:todo", "paid:todo"]);
  });

  it("once everything due is seen asks for nothing more and shows the confirmations", () => {
    const s = checkoutScreen({ ...base, status: "confirming", receivedAmount: "20000", remainingAmount: "0", confirmations: 1, outputs: [out("20000")] });
    expect(s).toMatchObject({ phase: "received", due: null, confirming: { n: 1, of: 3 }, excess: null });
    expect(steps(s)).toEqual(["awaiting:done", "received:done", "confirming:current", "paid:todo"]);
  });

  it("a second payment names the total and the extra, while confirming and after crediting", () => {
    const twice = { ...base, receivedAmount: "40000", remainingAmount: "0", outputs: [out("20000"), out("20000")] };
    expect(checkoutScreen({ ...twice, status: "confirming" }).excess).toEqual({ total: "40000", extra: "20000", payments: 2 });
    expect(checkoutScreen({ ...twice, status: "credited", exception: "overpaid" })).toMatchObject({
      phase: "credited",
      excess: { total: "40000", payments: 2 },
    });
    // Two payments that together make the price: named, with no extra.
    expect(
      checkoutScreen({ ...base, status: "confirming", receivedAmount: "20000", remainingAmount: "0", outputs: [out("10000"), out("10000")] }).excess,
    ).toEqual({
      total: "20000",
      extra: "0",
      payments: 2,
    });
    // A payment that left the chain does not count.
    expect(checkoutScreen({ ...base, receivedAmount: "0", outputs: [out("20000", true)], exception: "invalid" })).toMatchObject({
      phase: "pay",
      lostPayment: true,
      excess: null,
    });
  });

  it("paid and credited", () => {
    expect(steps(checkoutScreen({ ...base, status: "paid", receivedAmount: "20000", remainingAmount: "0" }))).toEqual([
      "awaiting:done",
      "received:done",
      "confirming:done",
      "paid:current",
    ]);
    expect(checkoutScreen({ ...base, status: "forwarded", receivedAmount: "20000", remainingAmount: "0" })).toMatchObject({ phase: "credited", open: false });
  });

  it("every way a checkout ends without credits has its own phase and a tracker mark", () => {
    const ended = (status: ScreenInput["status"], exception: ScreenInput["exception"], received = "0") =>
      checkoutScreen({ ...base, status, exception, receivedAmount: received, remainingAmount: received === "0" ? "20000" : "10000" });
    expect(ended("expired", null)).toMatchObject({ phase: "expired", open: false });
    expect(steps(ended("expired", null))).toEqual(["expired:error"]);
    expect(ended("expired", "underpaid", "10000").phase).toBe("expiredUnderpaid");
    expect(steps(ended("expired", "underpaid", "10000"))).toEqual(["awaiting:done", "underpaid:warn", "expired:error"]);
    expect(ended("expired", "paid_late", "20000").phase).toBe("paidLate");
    expect(steps(ended("expired", "paid_late", "20000"))).toEqual(["expired:error", "paidLate:warn"]);
    expect(ended("expired", "invalid").phase).toBe("invalid");
    expect(steps(ended("expired", "invalid"))).toContain("invalid:error");
    expect(ended("failed", null)).toMatchObject({ phase: "failed", due: null });
    expect(steps(ended("failed", null))).toEqual(["failed:error"]);
  });

  it("provider rails have no confirmations step and a processing step instead", () => {
    const mpesa = { ...base, rail: "mpesa" as const, expectedAmount: "2590", remainingAmount: "2590", confirmationsRequired: 0 };
    expect(steps(checkoutScreen(mpesa))).toEqual(["awaiting:current", "processing:todo", "paid:todo"]);
    const processing = checkoutScreen({ ...mpesa, status: "confirming", receivedAmount: "2590", remainingAmount: "0" });
    expect(processing).toMatchObject({ phase: "received", confirming: null });
    expect(steps(checkoutScreen({ ...mpesa, status: "failed" }))).toEqual(["failed:error"]);
  });
});
