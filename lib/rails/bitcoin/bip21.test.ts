import { describe, expect, it } from "vitest";
import { Bip21Error, buildBip21, parseBip21 } from "@/lib/rails/bitcoin/bip21";

const ADDR = "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W"; // the address of the BIP21 examples (its base58 checksum is not valid; URIs do not check it)
const SEGWIT = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu";

describe("buildBip21", () => {
  it("writes the amount in BTC with trailing zeros trimmed", () => {
    expect(buildBip21({ address: SEGWIT, sats: 150_000n })).toBe(`bitcoin:${SEGWIT}?amount=0.0015`);
    expect(buildBip21({ address: ADDR, sats: 5_000_000_000n })).toBe(`bitcoin:${ADDR}?amount=50`);
    expect(buildBip21({ address: ADDR, sats: 2_030_000_000n })).toBe(`bitcoin:${ADDR}?amount=20.3`);
    expect(buildBip21({ address: ADDR, sats: 1n })).toBe(`bitcoin:${ADDR}?amount=0.00000001`);
  });

  it("reproduces the BIP21 examples", () => {
    expect(buildBip21({ address: ADDR })).toBe(`bitcoin:${ADDR}`);
    expect(buildBip21({ address: ADDR, label: "Luke-Jr" })).toBe(`bitcoin:${ADDR}?label=Luke-Jr`);
    expect(buildBip21({ address: ADDR, sats: 2_030_000_000n, label: "Luke-Jr" })).toBe(`bitcoin:${ADDR}?amount=20.3&label=Luke-Jr`);
    expect(buildBip21({ address: ADDR, sats: 5_000_000_000n, label: "Luke-Jr", message: "Donation for project xyz" })).toBe(
      `bitcoin:${ADDR}?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz`,
    );
  });

  it("percent-encodes the label", () => {
    const uri = buildBip21({ address: SEGWIT, sats: 150_000n, label: "Satchel: Medium & more #1 ☕" });
    expect(uri).toBe(`bitcoin:${SEGWIT}?amount=0.0015&label=Satchel%3A%20Medium%20%26%20more%20%231%20%E2%98%95`);
    expect(parseBip21(uri).label).toBe("Satchel: Medium & more #1 ☕");
  });

  it("leaves out empty parts and refuses nonsense", () => {
    expect(buildBip21({ address: SEGWIT, sats: null, label: "" })).toBe(`bitcoin:${SEGWIT}`);
    expect(() => buildBip21({ address: SEGWIT, sats: 0n })).toThrow(Bip21Error);
    expect(() => buildBip21({ address: SEGWIT, sats: -1n })).toThrow(Bip21Error);
    expect(() => buildBip21({ address: "bc1q?x=1" })).toThrow(Bip21Error);
    expect(() => buildBip21({ address: "" })).toThrow(Bip21Error);
  });
});

describe("parseBip21", () => {
  it("parses the BIP21 examples", () => {
    expect(parseBip21(`bitcoin:${ADDR}`)).toEqual({ address: ADDR, other: {} });
    expect(parseBip21(`bitcoin:${ADDR}?label=Luke-Jr`)).toEqual({ address: ADDR, label: "Luke-Jr", other: {} });
    expect(parseBip21(`bitcoin:${ADDR}?amount=20.3&label=Luke-Jr`)).toEqual({ address: ADDR, sats: 2_030_000_000n, label: "Luke-Jr", other: {} });
    expect(parseBip21(`bitcoin:${ADDR}?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz`)).toEqual({
      address: ADDR,
      sats: 5_000_000_000n,
      label: "Luke-Jr",
      message: "Donation for project xyz",
      other: {},
    });
    expect(parseBip21(`bitcoin:${ADDR}?somethingyoudontunderstand=50&somethingelseyoudontget=999`).other).toEqual({
      somethingyoudontunderstand: "50",
      somethingelseyoudontget: "999",
    });
  });

  it("refuses what BIP21 says to refuse", () => {
    expect(() => parseBip21(`bitcoin:${ADDR}?req-somethingyoudontunderstand=50&req-somethingelseyoudontget=999`)).toThrow(/req-/);
    expect(() => parseBip21(`bitcoin:${ADDR}?amount=1e-3`)).toThrow(/amount/);
    expect(() => parseBip21(`bitcoin:${ADDR}?amount=0.000000001`)).toThrow(/8 decimals/);
    expect(() => parseBip21(`bitcoin:${ADDR}?amount=1&amount=2`)).toThrow(/twice/);
    expect(() => parseBip21(`litecoin:${ADDR}`)).toThrow(Bip21Error);
    expect(() => parseBip21(`bitcoin:?amount=1`)).toThrow(/no address/);
  });

  it("accepts an upper-case scheme (QR alphanumeric mode)", () => {
    expect(parseBip21(`BITCOIN:${SEGWIT.toUpperCase()}?amount=0.0015`)).toMatchObject({ address: SEGWIT.toUpperCase(), sats: 150_000n });
  });

  it("round-trips", () => {
    for (const sats of [1n, 150_000n, 99_999_999n, 2_100_000_000_000_000n]) {
      const back = parseBip21(buildBip21({ address: SEGWIT, sats, label: "a/b?c=d&e", message: "100% ünïcode" }));
      expect(back).toEqual({ address: SEGWIT, sats, label: "a/b?c=d&e", message: "100% ünïcode", other: {} });
    }
  });
});
