import { describe, expect, it } from "vitest";
import { confirmationsOf, decide, minimumAccepted, type Payment, type RuleCheckout } from "./rule";

// The rule's chain half, as the Bitcoin state machine's table (formerly evaluate()): the same
// rows, fed through decide() the way applyFacts feeds it chain outputs.
type CheckoutFacts = Omit<RuleCheckout, "expectedAmount"> & { expectedSats: bigint };
type OutputView = { sats: bigint; blockHeight: number | null; seenAt: Date; live: boolean };
function evaluate(f: CheckoutFacts, outputs: OutputView[], tip: number, now: Date) {
  const { expectedSats, ...rest } = f;
  const payments: Payment[] = outputs.map((o) => ({
    amount: o.sats,
    confirmations: o.blockHeight === null ? 0 : Math.max(0, tip - o.blockHeight + 1),
    seenAt: o.seenAt,
    live: o.live,
    final: false,
  }));
  const d = decide({ ...rest, expectedAmount: expectedSats }, payments, now);
  return { ...d, receivedSats: d.received, cause: d.by === "expiry" ? "expiry" : "chain" };
}

const created = new Date("2026-11-23T12:00:00Z");
const expiresAt = new Date("2026-11-23T13:00:00Z");
const monitorUntil = new Date("2026-11-24T13:00:00Z");
const before = new Date("2026-11-23T12:30:00Z");
const after = new Date("2026-11-23T14:00:00Z");
const afterWindow = new Date("2026-11-25T00:00:00Z");
const TIP = 100;

const facts = (over: Partial<CheckoutFacts> = {}): CheckoutFacts => ({
  status: "pending",
  exception: null,
  expectedSats: 100_000n,
  toleranceBps: 0,
  confirmationsRequired: 3,
  expiresAt,
  monitorUntil,
  ...over,
});

/** An output with `confs` confirmations at TIP (0 = mempool). */
const out = (sats: bigint, confs = 0, o: Partial<OutputView> = {}): OutputView => ({
  sats,
  blockHeight: confs === 0 ? null : TIP - confs + 1,
  seenAt: new Date(created.getTime() + 60_000),
  live: true,
  ...o,
});

describe("evaluate: every transition and exception", () => {
  const table: [
    string,
    CheckoutFacts,
    OutputView[],
    Date,
    { status: string; exception: string | null; changed: boolean; confirmations?: number; cause?: string },
  ][] = [
    ["pending, nothing yet", facts(), [], before, { status: "pending", exception: null, changed: false }],
    ["pending → expired when nothing arrived", facts(), [], after, { status: "expired", exception: null, changed: true, cause: "expiry" }],
    [
      "pending → confirming when the exact amount is in the mempool",
      facts(),
      [out(100_000n)],
      before,
      { status: "confirming", exception: null, changed: true, confirmations: 0 },
    ],
    [
      "confirming, 2 of 3 confirmations: no change",
      facts({ status: "confirming" }),
      [out(100_000n, 2)],
      before,
      { status: "confirming", exception: null, changed: false, confirmations: 2 },
    ],
    [
      "confirming → paid at 3 confirmations",
      facts({ status: "confirming" }),
      [out(100_000n, 3)],
      before,
      { status: "paid", exception: null, changed: true, confirmations: 3 },
    ],
    ["pending → paid in one observation when already confirmed", facts(), [out(100_000n, 5)], before, { status: "paid", exception: null, changed: true }],
    [
      "paid even after expiry when the payment was seen in time",
      facts({ status: "confirming" }),
      [out(100_000n, 3)],
      after,
      { status: "paid", exception: null, changed: true },
    ],
    [
      "underpaid before expiry stays confirming, flagged",
      facts({ status: "confirming" }),
      [out(60_000n, 3)],
      before,
      { status: "confirming", exception: "underpaid", changed: true },
    ],
    [
      "underpaid at expiry → expired, underpaid",
      facts({ status: "confirming", exception: "underpaid" }),
      [out(60_000n, 3)],
      after,
      { status: "expired", exception: "underpaid", changed: true, cause: "expiry" },
    ],
    [
      "within tolerance counts as paid",
      facts({ status: "confirming", toleranceBps: 100 }),
      [out(99_000n, 3)],
      before,
      { status: "paid", exception: null, changed: true },
    ],
    [
      "one sat below tolerance is underpaid",
      facts({ status: "confirming", toleranceBps: 100 }),
      [out(98_999n, 3)],
      before,
      { status: "confirming", exception: "underpaid", changed: true },
    ],
    ["overpaid → paid, overpaid", facts({ status: "confirming" }), [out(150_000n, 3)], before, { status: "paid", exception: "overpaid", changed: true }],
    [
      "two payments adding up → paid, multiple",
      facts({ status: "confirming" }),
      [out(40_000n, 4), out(60_000n, 3)],
      before,
      { status: "paid", exception: "multiple", changed: true },
    ],
    [
      "paid waits for the least-confirmed output",
      facts({ status: "confirming" }),
      [out(40_000n, 4), out(60_000n, 0)],
      before,
      { status: "confirming", exception: null, changed: false, confirmations: 0 },
    ],
    [
      "payment first seen after expiry → expired, paid late",
      facts(),
      [out(100_000n, 0, { seenAt: after })],
      after,
      { status: "expired", exception: "paid_late", changed: true, cause: "expiry" },
    ],
    [
      "expired, then a payment inside the window → paid late",
      facts({ status: "expired" }),
      [out(100_000n, 0, { seenAt: after })],
      after,
      { status: "expired", exception: "paid_late", changed: true },
    ],
    [
      "expired, payment after the window: no exception",
      facts({ status: "expired" }),
      [out(100_000n, 0, { seenAt: afterWindow })],
      afterWindow,
      { status: "expired", exception: null, changed: false },
    ],
    [
      "double-spent before expiry → back to pending, invalid",
      facts({ status: "confirming" }),
      [out(100_000n, 0, { live: false })],
      before,
      { status: "pending", exception: "invalid", changed: true },
    ],
    [
      "double-spent, then expiry → expired, invalid",
      facts({ status: "pending", exception: "invalid" }),
      [out(100_000n, 0, { live: false })],
      after,
      { status: "expired", exception: "invalid", changed: true, cause: "expiry" },
    ],
    [
      "a new payment after a double-spend clears invalid",
      facts({ status: "pending", exception: "invalid" }),
      [out(100_000n, 0, { live: false }), out(100_000n)],
      before,
      { status: "confirming", exception: null, changed: true },
    ],
    [
      "never confirmed within the monitoring window → expired, invalid",
      facts({ status: "confirming" }),
      [out(100_000n)],
      afterWindow,
      { status: "expired", exception: "invalid", changed: true, cause: "expiry" },
    ],
    [
      "reorg before paid: confirmations fall back, still confirming",
      facts({ status: "confirming" }),
      [out(100_000n, 0)],
      before,
      { status: "confirming", exception: null, changed: false, confirmations: 0 },
    ],
    [
      "paid, then an extra payment → overpaid, still paid",
      facts({ status: "paid" }),
      [out(100_000n, 6), out(5_000n)],
      before,
      { status: "paid", exception: "overpaid", changed: true },
    ],
    ["credited is never moved by the chain", facts({ status: "credited" }), [], after, { status: "credited", exception: null, changed: false }],
  ];

  it.each(table)("%s", (_name, f, outputs, now, want) => {
    const r = evaluate(f, outputs, TIP, now);
    expect(r.status).toBe(want.status);
    expect(r.exception).toBe(want.exception);
    expect(r.reason !== null).toBe(want.changed);
    if (want.confirmations !== undefined) expect(r.confirmations).toBe(want.confirmations);
    if (want.cause) expect(r.cause).toBe(want.cause);
  });

  it.each(table)("is idempotent: %s", (_name, f, outputs, now) => {
    const first = evaluate(f, outputs, TIP, now);
    const again = evaluate({ ...f, status: first.status, exception: first.exception }, outputs, TIP, now);
    expect(again).toMatchObject({ status: first.status, exception: first.exception, reason: null });
  });

  it("sums received sats exactly with bigint", () => {
    const r = evaluate(facts(), [out(2_100_000_000_000_000n), out(1n)], TIP, before);
    expect(r.receivedSats).toBe(2_100_000_000_000_001n);
  });

  it("never allows more slack than the configured tolerance", () => {
    expect(minimumAccepted(100_001n, 100)).toBe(99_001n); // 1% of 100,001 = 1,000.01 → 1,000 slack
    expect(minimumAccepted(100_000n, 0)).toBe(100_000n);
  });
});

// The provider half: one final payment (an M-Pesa prompt, a gateway payment, a grant), and
// the provider's own signals.
describe("decide: a provider's final payment and signals", () => {
  const c = (over: Partial<RuleCheckout> = {}): RuleCheckout => ({
    status: "pending",
    exception: null,
    expectedAmount: 2000n,
    toleranceBps: 100,
    confirmationsRequired: 0,
    expiresAt,
    monitorUntil,
    ...over,
  });
  const paid = (amount: bigint, o: Partial<Payment> = {}): Payment => ({ amount, confirmations: 0, seenAt: before, live: true, final: true, ...o });
  const pick = (d: ReturnType<typeof decide>) => ({ status: d.status, exception: d.exception, by: d.by, received: d.received, changed: d.reason !== null });

  it.each([
    ["the exact amount", 2000n, before, null],
    ["within the 1% tolerance", 1980n, before, null],
    ["just under the tolerance", 1979n, before, "underpaid"],
    ["more than the amount plus the tolerance", 2021n, before, "overpaid"],
    ["the amount plus the tolerance", 2020n, before, null],
    ["after the monitoring window", 2000n, afterWindow, "paid_late"],
    ["at the end of the monitoring window", 2000n, monitorUntil, null],
  ] as const)("%s → paid, by the provider's word", (_n, amount, now, exception) => {
    expect(pick(decide(c(), [paid(amount)], now))).toEqual({ status: "paid", exception, by: "fact", received: amount, changed: true });
  });

  it("the same final payment reported again after the checkout settled changes nothing", () => {
    for (const status of ["paid", "credited", "forwarded"] as const) {
      const d = decide(c({ status, creditedAt: status === "paid" ? null : before }), [paid(2000n)], after);
      expect(pick(d)).toEqual({ status, exception: null, by: "rule", received: 2000n, changed: false });
    }
  });

  it("a final payment that left (reversed by the provider) does not count", () => {
    expect(pick(decide(c(), [paid(2000n, { live: false })], before))).toMatchObject({ status: "pending", received: 0n });
  });

  it("failed from the provider fails an open checkout with nothing received, and only flags a settled one", () => {
    expect(pick(decide(c(), [], before, { failed: true }))).toEqual({ status: "failed", exception: null, by: "fact", received: 0n, changed: true });
    expect(pick(decide(c({ status: "confirming" }), [], before, { failed: true }))).toMatchObject({ status: "failed", changed: true });
    const settled = decide(c({ status: "paid" }), [paid(2000n)], before, { failed: true });
    expect(pick(settled)).toMatchObject({ status: "paid", changed: false });
    expect(settled.flag).toBe("the provider said FAILED after the checkout was paid");
    expect(decide(c({ status: "failed" }), [], before, { failed: true }).reason).toBeNull();
  });

  it("processing moves pending to confirming, and nothing else", () => {
    expect(pick(decide(c(), [], before, { processing: true }))).toEqual({ status: "confirming", exception: null, by: "fact", received: 0n, changed: true });
    expect(pick(decide(c({ status: "confirming" }), [], before, { processing: true }))).toMatchObject({ status: "confirming", changed: false });
    expect(pick(decide(c(), [], before))).toMatchObject({ status: "pending", changed: false });
  });

  it("forwarded moves only a credited checkout", () => {
    expect(pick(decide(c({ status: "credited", creditedAt: before }), [paid(2000n)], after, { forwarded: true }))).toMatchObject({
      status: "forwarded",
      changed: true,
    });
    expect(pick(decide(c({ status: "paid" }), [paid(2000n)], after, { forwarded: true }))).toMatchObject({ status: "paid", changed: false });
  });
});

describe("confirmationsOf", () => {
  it("counts the block itself: mined at the tip is 1, unconfirmed is 0, a tip behind the block is 0", () => {
    expect(confirmationsOf(null, 100)).toBe(0);
    expect(confirmationsOf(100, 100)).toBe(1);
    expect(confirmationsOf(98, 100)).toBe(3);
    expect(confirmationsOf(101, 100)).toBe(0);
  });
});
