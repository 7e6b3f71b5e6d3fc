import { describe, expect, it } from "vitest";
import {
  describeRate,
  formatBtc,
  formatCredits,
  formatDateTime,
  formatKes,
  formatMoney,
  formatRailAmount,
  formatRate,
  formatSats,
  formatSignedCredits,
  minorDigits,
} from "./format";

describe("formatMoney", () => {
  it("formats minor units without float drift", () => {
    expect(formatMoney(500, "USD")).toBe("$5.00");
    expect(formatMoney(5000, "USD")).toBe("$50.00");
    expect(formatMoney(1, "USD")).toBe("$0.01");
    expect(formatMoney(0, "USD")).toBe("$0.00");
    // 0.1 + 0.2 style errors would show here if we divided as floats
    expect(formatMoney(30, "usd")).toBe("$0.30");
    expect(formatMoney(123456789, "USD")).toBe("$1,234,567.89");
  });

  it("handles negatives and bigint beyond the safe integer range", () => {
    expect(formatMoney(-5, "USD")).toBe("-$0.05");
    expect(formatMoney(12345678901234567899n, "USD")).toBe("$123,456,789,012,345,678.99");
  });

  it("respects each currency's minor-unit digits", () => {
    expect(minorDigits("JPY")).toBe(0);
    expect(formatMoney(500, "JPY")).toBe("¥500");
    expect(minorDigits("KWD")).toBe(3);
    // Intl separates a currency code from the number with a no-break space.
    const plain = (s: string) => s.replace(/\u00a0/g, " ");
    expect(plain(formatMoney(1500, "KWD"))).toBe("KWD 1.500");
    expect(plain(formatMoney(123450, "KES"))).toBe("KES 1,234.50");
  });

  it("refuses fractional minor units", () => {
    expect(() => formatMoney(1.5, "USD")).toThrow(RangeError);
  });
});

describe("credits", () => {
  it("pluralises and groups thousands", () => {
    expect(formatCredits(0)).toBe("0 credits");
    expect(formatCredits(1)).toBe("1 credit");
    expect(formatCredits(1500)).toBe("1,500 credits");
  });

  it("shows the sign of a movement", () => {
    expect(formatSignedCredits(1500)).toBe("+1,500");
    expect(formatSignedCredits(-20)).toBe("\u221220");
    expect(formatSignedCredits(0)).toBe("0");
  });
});

describe("formatDateTime", () => {
  it("renders in UTC so server and browser agree", () => {
    expect(formatDateTime(new Date("2026-11-23T15:26:00Z"))).toBe("Nov 23, 2026, 3:26 PM UTC");
  });
});

describe("rates", () => {
  it("reads each rail's rate the right way round, as a buyer would say it", () => {
    expect(formatRate({ rateValue: "100000", currency: "USD", amountUnit: "sat" })).toBe("1 BTC = $100,000");
    expect(formatRate({ rateValue: "65432.1", currency: "USD", amountUnit: "sat" })).toBe("1 BTC = $65,432.10");
    expect(formatRate({ rateValue: "129.5", currency: "USD", amountUnit: "KES" })).toBe("1 USD = KES 129.5");
    expect(formatRate({ rateValue: "0.92", currency: "USD", amountUnit: "EUR:2" })).toBe("1 USD = €0.92");
    expect(formatRate({ rateValue: null, currency: "USD", amountUnit: "USD cents" })).toBeNull();
    expect(describeRate({ rateValue: "100000", rateSource: "coinbase", currency: "USD", amountUnit: "sat" })).toBe("1 BTC = $100,000 (coinbase)");
  });
});

describe("rail amounts", () => {
  it("formats every rail's unit in one style", () => {
    expect(formatRailAmount(20000n, "sat")).toBe("0.0002 BTC (20,000 sats)");
    expect(formatRailAmount("150000000", "sat")).toBe("1.5 BTC (150,000,000 sats)");
    expect(formatRailAmount(1n, "sat")).toBe("0.00000001 BTC (1 sat)");
    expect(formatRailAmount(2590, "KES")).toBe("KES 2,590");
    expect(formatRailAmount(2000, "USD:2")).toBe("$20.00");
    expect(formatRailAmount(123456, "XRP:6")).toBe("0.123456 XRP");
    expect(formatRailAmount(2000, "USD cents")).toBe("$20.00");
    expect(formatRailAmount(500, "JPY")).toBe("¥500");
  });

  it("BTC and shillings on their own", () => {
    expect(formatBtc(20000n)).toBe("0.0002 BTC");
    expect(formatBtc(100_000_000n)).toBe("1 BTC");
    expect(formatSats("10000")).toBe("0.0001 BTC (10,000 sats)");
    expect(formatKes(250000)).toBe("KES 250,000");
  });

  it("follows the locale's separators (Swahili as in Kenya)", () => {
    expect(formatMoney(2000, "USD", "sw")).toMatch(/20\.00/);
    expect(formatRailAmount(2590, "KES", "sw")).toBe("KES 2,590");
    expect(formatDateTime(new Date("2026-11-23T15:26:00Z"), "sw")).toMatch(/2026/);
  });
});
