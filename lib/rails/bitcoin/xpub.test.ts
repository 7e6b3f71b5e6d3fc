import { createHash } from "node:crypto";
import { createBase58check } from "@scure/base";
import { HDKey } from "@scure/bip32";
import { mnemonicToSeedSync } from "@scure/bip39";
import { describe, expect, it } from "vitest";
import { isValidAddress, networkParams, VERSION } from "@/lib/rails/bitcoin/networks";
import { deriveReceiveAddress, parseXpub, XpubError } from "@/lib/rails/bitcoin/xpub";

// Official BIP84 test vectors (https://github.com/bitcoin/bips/blob/master/bip-0084.mediawiki).
const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ZPUB = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const FIRST_RECEIVE = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu";
const SECOND_RECEIVE = "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g";
const FIRST_CHANGE = "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el";
const TESTNET_FIRST_RECEIVE = "tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl";

const base58check = createBase58check((d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest()));
const seed = mnemonicToSeedSync(MNEMONIC);

function withVersion(key: string, version: number): string {
  const raw = new Uint8Array(base58check.decode(key));
  raw.set([(version >>> 24) & 0xff, (version >>> 16) & 0xff, (version >>> 8) & 0xff, version & 0xff], 0);
  return base58check.encode(raw);
}

// xpub (mainnet) and tpub (test networks) of the same mnemonic, derived here rather than pasted.
const mainAccount = HDKey.fromMasterSeed(seed, networkParams("mainnet").bip32).derive("m/84'/0'/0'");
const testAccount = HDKey.fromMasterSeed(seed, networkParams("testnet").bip32).derive("m/84'/1'/0'");
const XPUB = mainAccount.publicExtendedKey;
const TPUB = testAccount.publicExtendedKey;
const VPUB = withVersion(TPUB, VERSION.vpub);

describe("parseXpub on mainnet", () => {
  it("derives the BIP84 vectors from the zpub", () => {
    const w = parseXpub(ZPUB, "mainnet");
    expect(w.kind).toBe("zpub");
    expect(w.depth).toBe(3);
    expect(w.receiveAddress(0)).toBe(FIRST_RECEIVE);
    expect(w.receiveAddress(1)).toBe(SECOND_RECEIVE);
    expect(w.changeAddress(0)).toBe(FIRST_CHANGE);
  });

  it("the zpub of the vector is our xpub with SLIP-132 version bytes", () => {
    expect(XPUB.startsWith("xpub")).toBe(true);
    expect(withVersion(XPUB, VERSION.zpub)).toBe(ZPUB);
    expect(parseXpub(ZPUB, "mainnet").standardXpub).toBe(XPUB);
  });

  it("derives the same addresses from the xpub form", () => {
    const w = parseXpub(XPUB, "mainnet");
    expect(w.kind).toBe("xpub");
    expect(w.receiveAddress(0)).toBe(FIRST_RECEIVE);
    expect(w.receiveAddress(1)).toBe(SECOND_RECEIVE);
    expect(w.changeAddress(0)).toBe(FIRST_CHANGE);
    expect(deriveReceiveAddress(` ${XPUB}\n`, "mainnet", 0)).toBe(FIRST_RECEIVE);
  });

  it("gives distinct addresses for many indexes", () => {
    const w = parseXpub(ZPUB, "mainnet");
    const set = new Set(Array.from({ length: 50 }, (_, i) => w.receiveAddress(i)));
    expect(set.size).toBe(50);
  });

  it("refuses bad indexes", () => {
    const w = parseXpub(ZPUB, "mainnet");
    for (const i of [-1, 1.5, 2 ** 31, Number.NaN]) expect(() => w.receiveAddress(i)).toThrow(RangeError);
    expect(w.receiveAddress(2 ** 31 - 1)).toMatch(/^bc1q/);
  });
});

describe("parseXpub on test networks", () => {
  it("tpub and vpub give the testnet vector on testnet and signet", () => {
    for (const network of ["testnet", "signet"] as const) {
      for (const key of [TPUB, VPUB]) {
        const w = parseXpub(key, network);
        expect(w.receiveAddress(0)).toBe(TESTNET_FIRST_RECEIVE);
        expect(w.standardXpub).toBe(TPUB);
      }
    }
    expect(parseXpub(VPUB, "testnet").kind).toBe("vpub");
    expect(parseXpub(TPUB, "testnet").kind).toBe("tpub");
  });

  it("uses the bcrt hrp on regtest with the same key material", () => {
    const w = parseXpub(VPUB, "regtest");
    const a0 = w.receiveAddress(0);
    expect(a0).toMatch(/^bcrt1q/);
    expect(isValidAddress(a0, "regtest")).toBe(true);
    // same witness program as the testnet address: only the hrp differs
    expect(a0.slice("bcrt1".length, -6)).toBe(TESTNET_FIRST_RECEIVE.slice("tb1".length, -6));
    expect(parseXpub(TPUB, "regtest").receiveAddress(0)).toBe(a0);
  });

  it("derives the testnet address from the raw path too (cross-check)", () => {
    const child = HDKey.fromMasterSeed(seed).derive("m/84'/1'/0'/0/0");
    const w = parseXpub(TPUB, "testnet");
    expect(child.publicKey).toEqual(HDKey.fromExtendedKey(TPUB, networkParams("testnet").bip32).derive("m/0/0").publicKey);
    expect(w.receiveAddress(0)).toBe(TESTNET_FIRST_RECEIVE);
  });
});

function expectXpubError(fn: () => unknown, code: string, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(XpubError);
    expect((e as XpubError).code).toBe(code);
    expect((e as Error).message).toMatch(pattern);
    expect((e as Error).message).toMatch(/BTC_XPUB/);
    return;
  }
  throw new Error("expected an XpubError");
}

describe("parseXpub refuses", () => {
  it("garbage", () => {
    expectXpubError(() => parseXpub("", "mainnet"), "invalid", /empty/);
    expectXpubError(() => parseXpub("hello", "mainnet"), "invalid", /not an extended/);
    expectXpubError(() => parseXpub(ZPUB.slice(0, -1) + (ZPUB.endsWith("s") ? "t" : "s"), "mainnet"), "invalid", /checksum/);
    expectXpubError(() => parseXpub(FIRST_RECEIVE, "mainnet"), "invalid", /BTC_XPUB/);
    expectXpubError(() => parseXpub(base58check.encode(new Uint8Array(78)), "mainnet"), "invalid", /unknown version/);
  });

  it("private keys of every flavour", () => {
    const xprv = HDKey.fromMasterSeed(seed).derive("m/84'/0'/0'").privateExtendedKey;
    const tprv = HDKey.fromMasterSeed(seed, networkParams("testnet").bip32).derive("m/84'/1'/0'").privateExtendedKey;
    expect(xprv.startsWith("xprv")).toBe(true);
    expect(tprv.startsWith("tprv")).toBe(true);
    for (const [key, network] of [
      [xprv, "mainnet"],
      [withVersion(xprv, VERSION.zprv), "mainnet"],
      [withVersion(xprv, VERSION.yprv), "mainnet"],
      [tprv, "testnet"],
      [withVersion(tprv, VERSION.vprv), "regtest"],
      [tprv, "mainnet"],
    ] as const) {
      expectXpubError(() => parseXpub(key, network), "private_key", /never put a private key in BTC_XPUB/);
    }
  });

  it("the wrong network, naming BTC_NETWORK", () => {
    expectXpubError(() => parseXpub(TPUB, "mainnet"), "network_mismatch", /BTC_NETWORK=mainnet/);
    expectXpubError(() => parseXpub(VPUB, "mainnet"), "network_mismatch", /BTC_NETWORK/);
    for (const network of ["testnet", "signet", "regtest"] as const) {
      expectXpubError(() => parseXpub(XPUB, network), "network_mismatch", new RegExp(`BTC_NETWORK=${network}`));
      expectXpubError(() => parseXpub(ZPUB, network), "network_mismatch", /tpub or vpub/);
    }
  });

  it("other script types (ypub, multisig)", () => {
    expectXpubError(() => parseXpub(withVersion(XPUB, VERSION.ypub), "mainnet"), "unsupported", /BIP49/);
    expectXpubError(() => parseXpub(withVersion(XPUB, VERSION.Zpub), "mainnet"), "unsupported", /multisig/);
    expectXpubError(() => parseXpub(withVersion(TPUB, VERSION.upub), "testnet"), "unsupported", /BIP49/);
  });
});
