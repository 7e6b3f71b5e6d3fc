import { describe, expect, it } from "vitest";
import { addressOutputScript, BTC_NETWORKS, isBtcNetwork, isValidAddress, networkParams, VERSION } from "@/lib/rails/bitcoin/networks";

describe("networkParams", () => {
  it("has the bech32 prefix, coin type and version bytes of each network", () => {
    expect(BTC_NETWORKS.map((n) => networkParams(n).signer.bech32)).toEqual(["bc", "tb", "tb", "bcrt"]);
    expect(BTC_NETWORKS.map((n) => networkParams(n).coinType)).toEqual([0, 1, 1, 1]);
    expect(networkParams("mainnet").bip32).toEqual({ public: 0x0488b21e, private: 0x0488ade4 });
    expect(networkParams("mainnet").bip84).toEqual({ public: VERSION.zpub, private: VERSION.zprv });
    for (const n of ["testnet", "signet", "regtest"] as const) {
      expect(networkParams(n).bip32).toEqual({ public: 0x043587cf, private: 0x04358394 });
      expect(networkParams(n).bip84).toEqual({ public: 0x045f1cf6, private: 0x045f18bc });
      expect(networkParams(n).signer).toMatchObject({ pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef });
    }
    expect(networkParams("mainnet").signer).toMatchObject({ pubKeyHash: 0x00, scriptHash: 0x05, wif: 0x80 });
  });

  it("refuses unknown names, naming BTC_NETWORK", () => {
    expect(isBtcNetwork("regtest")).toBe(true);
    expect(isBtcNetwork("testnet4x")).toBe(false);
    expect(() => networkParams("bitcoin" as never)).toThrow(/BTC_NETWORK/);
  });
});

describe("address validation", () => {
  it("accepts each network's own addresses only", () => {
    expect(isValidAddress("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "mainnet")).toBe(true);
    expect(isValidAddress("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "testnet")).toBe(false);
    expect(isValidAddress("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", "testnet")).toBe(true);
    expect(isValidAddress("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", "signet")).toBe(true);
    expect(isValidAddress("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", "regtest")).toBe(false);
    expect(isValidAddress("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", "mainnet")).toBe(false);
    expect(isValidAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "mainnet")).toBe(true); // genesis coinbase
    expect(isValidAddress("175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", "mainnet")).toBe(false); // BIP21 example: bad checksum
    expect(isValidAddress("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv", "mainnet")).toBe(false); // checksum
    expect(isValidAddress("", "mainnet")).toBe(false);
  });

  it("gives the output script or a clear error", () => {
    expect(Buffer.from(addressOutputScript("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "mainnet")).toString("hex")).toBe(
      "0014c0cebcd6c3d3ca8c75dc5ec62ebe55330ef910e2",
    );
    expect(() => addressOutputScript("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl", "mainnet", "BTC_FORWARD_ADDRESS")).toThrow(
      /BTC_FORWARD_ADDRESS .* is not a valid mainnet Bitcoin address/,
    );
  });
});
