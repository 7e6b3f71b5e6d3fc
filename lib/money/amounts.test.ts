import { describe, expect, it } from "vitest";
import {
  AmountError,
  convertFiat,
  divRound,
  fiatDecimals,
  fiatToSats,
  formatBtc,
  formatBtcTrimmed,
  formatMinor,
  normalizeDecimal,
  parseBtc,
  parseDecimal,
  satsToFiat,
  spreadMultiplier,
} from "@/lib/money/amounts";

describe("formatBtc / formatBtcTrimmed", () => {
  it.each([
    [0n, "0.00000000", "0"],
    [1n, "0.00000001", "0.00000001"],
    [150_000n, "0.00150000", "0.0015"],
    [100_000_000n, "1.00000000", "1"],
    [2_100_000_000_000_000n, "21000000.00000000", "21000000"],
    [123_456_789n, "1.23456789", "1.23456789"],
    [-150_000n, "-0.00150000", "-0.0015"],
  ])("%s sats", (sats, fixed, trimmed) => {
    expect(formatBtc(sats)).toBe(fixed);
    expect(formatBtcTrimmed(sats)).toBe(trimmed);
  });
});

describe("parseBtc", () => {
  it.each([
    ["0.0015", 150_000n],
    ["0.00150000", 150_000n],
    ["1", 100_000_000n],
    ["0.00000001", 1n],
    ["20.3", 2_030_000_000n],
    ["21000000", 2_100_000_000_000_000n],
    ["0", 0n],
  ])("%s", (s, sats) => expect(parseBtc(s)).toBe(sats));

  it("round-trips with both formatters", () => {
    for (const sats of [0n, 1n, 7n, 150_000n, 99_999_999n, 100_000_001n, 1_234_567_890_123n]) {
      expect(parseBtc(formatBtc(sats))).toBe(sats);
      expect(parseBtc(formatBtcTrimmed(sats))).toBe(sats);
    }
  });

  it.each(["0.000000001", "-1", "-0.1", "1e-3", "1.", ".5", "", " 1", "1 ", "abc", "0x10", "1,5", "+1", "NaN", "Infinity"])("refuses %j", (s) =>
    expect(() => parseBtc(s)).toThrow(AmountError),
  );

  it("says why more than 8 decimals fail", () => {
    expect(() => parseBtc("0.123456789")).toThrow(/more than 8 decimals/);
  });
});

describe("parseDecimal / normalizeDecimal / divRound", () => {
  it("parses exactly", () => {
    expect(parseDecimal("65432.10")).toEqual({ num: 6543210n, den: 100n });
    expect(parseDecimal("7")).toEqual({ num: 7n, den: 1n });
  });
  it("normalizes", () => {
    expect(normalizeDecimal("065432.1000")).toBe("65432.1");
    expect(normalizeDecimal("65432.000")).toBe("65432");
    expect(normalizeDecimal("0.05")).toBe("0.05");
    expect(normalizeDecimal("12")).toBe("12");
  });
  it("rounds", () => {
    expect(divRound(10n, 4n, "up")).toBe(3n);
    expect(divRound(10n, 4n, "down")).toBe(2n);
    expect(divRound(10n, 4n, "nearest")).toBe(3n); // 2.5 → half up
    expect(divRound(9n, 4n, "nearest")).toBe(2n);
    expect(divRound(8n, 4n, "up")).toBe(2n);
  });
});

describe("fiatToSats", () => {
  it("converts exactly when it divides", () => {
    // $65 000.00 per BTC, $6.50 → 0.0001 BTC
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: "65000" })).toBe(10_000n);
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: "65000.00" })).toBe(10_000n);
  });

  it("rounds up to the next sat so the buyer pays at least the price", () => {
    // $10.00 at 65432.10 → 15283.02… sats → 15284
    expect(fiatToSats({ amountMinor: 1000n, fiatDecimals: 2, rate: "65432.10" })).toBe(15_284n);
    // 1 cent at 3 USD/BTC → 333 333.33… sats → 333 334
    expect(fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "3" })).toBe(333_334n);
  });

  it("never undercharges: sats × rate ≥ price for many prices", () => {
    const rate = "65432.17";
    for (let cents = 1n; cents < 5000n; cents += 37n) {
      const sats = fiatToSats({ amountMinor: cents, fiatDecimals: 2, rate });
      // sats/1e8 × 65432.17 × 100 cents = sats × 6543217 / 1e8: must reach the price, one sat less must not
      expect(sats * 6543217n >= cents * 100_000_000n).toBe(true);
      expect((sats - 1n) * 6543217n < cents * 100_000_000n).toBe(true);
    }
  });

  it("handles zero-decimal currencies", () => {
    // ¥1 000 at ¥10 000 000 per BTC → 10 000 sats
    expect(fiatToSats({ amountMinor: 1000n, fiatDecimals: 0, rate: "10000000" })).toBe(10_000n);
  });

  it("applies the spread as percent more sats", () => {
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: "65000", spreadPercent: "1.5" })).toBe(10_150n);
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: "65000", spreadPercent: "0" })).toBe(10_000n);
    expect(fiatToSats({ amountMinor: 650n, fiatDecimals: 2, rate: "65000", spreadPercent: "" })).toBe(10_000n);
    // rounding happens once, at the end: 15283.02… × 1.015 = 15512.26… → 15513
    expect(fiatToSats({ amountMinor: 1000n, fiatDecimals: 2, rate: "65432.10", spreadPercent: "1.5" })).toBe(15_513n);
  });

  it("refuses bad rates, spreads and amounts", () => {
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "0" })).toThrow(/greater than zero/);
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "NaN" })).toThrow(AmountError);
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "6.5e4" })).toThrow(AmountError);
    expect(() => fiatToSats({ amountMinor: -1n, fiatDecimals: 2, rate: "1" })).toThrow(/negative/);
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "1", spreadPercent: "-1" })).toThrow(/RATE_SPREAD_PERCENT/);
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 2, rate: "1", spreadPercent: "100" })).toThrow(/below 100/);
    expect(() => fiatToSats({ amountMinor: 1n, fiatDecimals: 1.5, rate: "1" })).toThrow(/fiatDecimals/);
  });
});

describe("spreadMultiplier", () => {
  it("is 1 + p/100", () => {
    expect(spreadMultiplier("1.5")).toEqual({ num: 1015n, den: 1000n });
    expect(spreadMultiplier(undefined)).toEqual({ num: 1n, den: 1n });
  });
});

describe("satsToFiat", () => {
  it("converts for display, nearest by default", () => {
    expect(satsToFiat({ sats: 10_000n, fiatDecimals: 2, rate: "65000" })).toBe(650n);
    expect(satsToFiat({ sats: 15_284n, fiatDecimals: 2, rate: "65432.10" })).toBe(1000n); // 10.0007…
    expect(satsToFiat({ sats: 1n, fiatDecimals: 2, rate: "65432.10" })).toBe(0n);
    expect(satsToFiat({ sats: 1n, fiatDecimals: 2, rate: "65432.10", rounding: "up" })).toBe(1n);
    expect(satsToFiat({ sats: 7_641n, fiatDecimals: 2, rate: "65432.10" })).toBe(500n); // 4.9997… → 5.00
    expect(satsToFiat({ sats: 7_641n, fiatDecimals: 2, rate: "65432.10", rounding: "down" })).toBe(499n);
  });
});

describe("convertFiat", () => {
  it("USD cents → whole KES, rounded up", () => {
    expect(convertFiat({ amountMinor: 500n, fromDecimals: 2, toDecimals: 0, rate: "129.50" })).toBe(648n);
    expect(convertFiat({ amountMinor: 1000n, fromDecimals: 2, toDecimals: 0, rate: "129.50" })).toBe(1295n);
    expect(convertFiat({ amountMinor: 1n, fromDecimals: 2, toDecimals: 0, rate: "129.50" })).toBe(2n); // 1.295 → 2
  });
  it("supports spread and other roundings", () => {
    expect(convertFiat({ amountMinor: 1000n, fromDecimals: 2, toDecimals: 2, rate: "129.50", spreadPercent: "2" })).toBe(132_090n);
    expect(convertFiat({ amountMinor: 500n, fromDecimals: 2, toDecimals: 0, rate: "129.50", rounding: "down" })).toBe(647n);
  });
});

describe("fiatDecimals / formatMinor", () => {
  it("knows ISO minor units", () => {
    expect(fiatDecimals("USD")).toBe(2);
    expect(fiatDecimals("kes")).toBe(2);
    expect(fiatDecimals("JPY")).toBe(0);
    expect(fiatDecimals("BHD")).toBe(3);
    expect(() => fiatDecimals("US")).toThrow(AmountError);
  });
  it("formats", () => {
    expect(formatMinor(12345n, 2)).toBe("123.45");
    expect(formatMinor(5n, 2)).toBe("0.05");
    expect(formatMinor(648n, 0)).toBe("648");
    expect(formatMinor(-5n, 2)).toBe("-0.05");
  });
});
