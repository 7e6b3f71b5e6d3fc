import { inspect } from "node:util";
import { hex } from "@scure/base";
import { Transaction, WIF } from "@scure/btc-signer";
import { describe, expect, it } from "vitest";
import {
  buildSweep,
  dustThreshold,
  estimateP2wpkhSweepVsize,
  HotWalletError,
  hotWalletFromSeed,
  type SweepInput,
  type Utxo,
} from "@/lib/rails/bitcoin/hot-wallet";
import { addressOutputScript, networkParams } from "@/lib/rails/bitcoin/networks";
import { parseXpub } from "@/lib/rails/bitcoin/xpub";
import { expectValidP2wpkhSignatures } from "@/test/bip143";

// BIP84 test vectors (https://github.com/bitcoin/bips/blob/master/bip-0084.mediawiki).
const MNEMONIC = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const VECTOR_WIF_0 = "KyZpNDKnfs94vbrwhJneDi77V6jF64PWPF8x5cdJb8ifgg2DUc9d";
const VECTOR_PUB_0 = "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c";

const mainnet = hotWalletFromSeed(MNEMONIC, "mainnet");
const regtest = hotWalletFromSeed(MNEMONIC, "regtest");
// Somewhere to sweep to that is not the wallet itself.
const FORWARD_REGTEST = hotWalletFromSeed("legal winner thank year wave sausage worth useful legal winner thank yellow", "regtest").address(0);

function errorOf(fn: () => unknown): HotWalletError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HotWalletError);
    return e as HotWalletError;
  }
  throw new Error("expected a HotWalletError");
}

describe("hotWalletFromSeed", () => {
  it("derives the BIP84 vector key and addresses on mainnet", () => {
    expect(mainnet.address(0)).toBe("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
    expect(mainnet.address(1)).toBe("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g");
    expect(hex.encode(mainnet.publicKey(0))).toBe(VECTOR_PUB_0);
    expect(hex.encode(mainnet.signingKey(0))).toBe(hex.encode(WIF(networkParams("mainnet").signer).decode(VECTOR_WIF_0)));
  });

  it("uses coin type 1 on test networks (the tb1 vector) and bcrt on regtest", () => {
    expect(hotWalletFromSeed(MNEMONIC, "testnet").address(0)).toBe("tb1q6rz28mcfaxtmd6v789l9rrlrusdprr9pqcpvkl");
    expect(regtest.address(0)).toMatch(/^bcrt1q/);
  });

  it("agrees with the watch-only derivation of its own account key", () => {
    expect(mainnet.accountXpub.startsWith("xpub")).toBe(true);
    const watch = parseXpub(regtest.accountXpub, "regtest");
    for (const i of [0, 1, 2, 99]) expect(watch.receiveAddress(i)).toBe(regtest.address(i));
  });

  it("normalizes whitespace and case in the mnemonic", () => {
    expect(hotWalletFromSeed(`  ${MNEMONIC.toUpperCase().replace(/ /g, "   ")}\n`, "mainnet").address(0)).toBe(mainnet.address(0));
  });

  it("a passphrase changes the keys", () => {
    expect(hotWalletFromSeed(MNEMONIC, "mainnet", "TREZOR").address(0)).not.toBe(mainnet.address(0));
  });

  it("refuses invalid mnemonics naming BTC_HOT_SEED without echoing it", () => {
    const cases: Array<[string, RegExp]> = [
      ["", /empty/],
      ["abandon abandon abandon", /3 words/],
      [MNEMONIC.replace("about", "abbot"), /not in the BIP39 English wordlist/],
      [MNEMONIC.replace("about", "abandon"), /checksum/],
    ];
    for (const [seed, why] of cases) {
      const e = errorOf(() => hotWalletFromSeed(seed, "mainnet"));
      expect(e.code).toBe("invalid_seed");
      expect(e.message).toMatch(/BTC_HOT_SEED/);
      expect(e.message).toMatch(why);
      expect(e.message).not.toMatch(/abandon|abbot/);
    }
  });

  it("never shows keys when printed or serialized", () => {
    const shown = [JSON.stringify(regtest), String(regtest), inspect(regtest, { showHidden: true, depth: 10 }), `${regtest}`].join(" ");
    expect(shown).toContain("regtest");
    const priv = hex.encode(regtest.signingKey(0));
    expect(shown).not.toContain(priv);
    expect(shown).not.toMatch(/prv|abandon/);
    expect(JSON.parse(JSON.stringify(regtest))).toEqual({ network: "regtest" });
  });

  it("returns a fresh copy of the key each time", () => {
    const k = regtest.signingKey(3);
    k.fill(0);
    expect(regtest.signingKey(3).some((b) => b !== 0)).toBe(true);
  });

  it("refuses bad indexes", () => {
    for (const i of [-1, 0.5, 2 ** 31]) expect(errorOf(() => regtest.address(i)).code).toBe("invalid_input");
  });
});

describe("buildSweep", () => {
  const utxos: Utxo[] = [
    { txid: `${"a".repeat(63)}1`, vout: 0, value: 50_000n },
    { txid: "0123456789abcdef".repeat(4), vout: 7, value: 1_234n },
    { txid: `${"a".repeat(63)}1`, vout: 1, value: 100_000_000n },
  ];
  const INDEX = 5;

  it("spends exactly the given outpoints to one output at the forward address, with valid signatures", () => {
    const sweep = buildSweep({ wallet: regtest, utxos, index: INDEX, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 2 });
    const tx = Transaction.fromRaw(hex.decode(sweep.hex));
    expect(tx.id).toBe(sweep.txid);
    expect(tx.isFinal).toBe(true);

    expect(tx.inputsLength).toBe(utxos.length);
    const spent = Array.from({ length: tx.inputsLength }, (_, i) => {
      const input = tx.getInput(i);
      return `${hex.encode(input.txid!)}:${input.index}`;
    });
    expect(spent).toEqual(utxos.map((u) => `${u.txid}:${u.vout}`));
    // the first outpoint is serialized little-endian, right after version, marker/flag and count
    expect(sweep.hex.slice(14, 78)).toBe(hex.encode(hex.decode(utxos[0]!.txid).reverse()));

    expect(tx.outputsLength).toBe(1);
    expect(tx.getOutputAddress(0, networkParams("regtest").signer)).toBe(FORWARD_REGTEST);
    const total = utxos.reduce((s, u) => s + u.value, 0n);
    expect(tx.getOutput(0).amount).toBe(sweep.amount);
    expect(sweep.amount + sweep.fee).toBe(total);

    // fee = ⌈vsize × rate⌉ for the estimate, and the real transaction is no larger
    expect(sweep.fee).toBe(BigInt(sweep.vsize) * 2n);
    expect(tx.vsize).toBeLessThanOrEqual(sweep.vsize);
    expect(sweep.vsize - tx.vsize).toBeLessThanOrEqual(2);

    expectValidP2wpkhSignatures(sweep.hex, utxos, regtest.publicKey(INDEX));
  });

  it("signs each input with the key of the checkout's index only", () => {
    const sweep = buildSweep({ wallet: regtest, utxos, index: INDEX, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 2 });
    expect(() => expectValidP2wpkhSignatures(sweep.hex, utxos, regtest.publicKey(INDEX + 1))).toThrow();
  });

  it("is deterministic, so rebuilding after a crash gives the same txid", () => {
    const a = buildSweep({ wallet: regtest, utxos, index: INDEX, toAddress: FORWARD_REGTEST, feeRateSatPerVb: "3.5" });
    const b = buildSweep({ wallet: regtest, utxos, index: INDEX, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 3.5 });
    expect(b.txid).toBe(a.txid);
    expect(b.hex).toBe(a.hex);
  });

  it("rounds a fractional fee up", () => {
    const one = [{ txid: "b".repeat(64), vout: 0, value: 10_000n }];
    const sweep = buildSweep({ wallet: regtest, utxos: one, index: 0, toAddress: FORWARD_REGTEST, feeRateSatPerVb: "1.01" });
    const vsize = estimateP2wpkhSweepVsize(1, addressOutputScript(FORWARD_REGTEST, "regtest"));
    expect(sweep.vsize).toBe(vsize);
    expect(vsize).toBe(110); // 1-in 1-out P2WPKH with low-R signature: 109.5 → 110
    expect(sweep.fee).toBe(112n); // ⌈110 × 1.01⌉ = ⌈111.1⌉
    expect(sweep.amount).toBe(10_000n - 112n);
    expectValidP2wpkhSignatures(sweep.hex, one, regtest.publicKey(0));
  });

  it("sweeps to any address type of the network (P2TR, P2PKH)", () => {
    const one = [{ txid: "c".repeat(64), vout: 2, value: 20_000n }];
    const p2tr = "bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6"; // a regtest P2TR (bech32m) address
    const p2pkh = "mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV"; // testnet/regtest base58
    for (const to of [p2tr, p2pkh]) {
      const sweep = buildSweep({ wallet: regtest, utxos: one, index: 1, toAddress: to, feeRateSatPerVb: 1 });
      const tx = Transaction.fromRaw(hex.decode(sweep.hex));
      expect(tx.getOutputAddress(0, networkParams("regtest").signer)).toBe(to);
      expectValidP2wpkhSignatures(sweep.hex, one, regtest.publicKey(1));
    }
  });

  it("refuses dust with a clear error", () => {
    const small = [{ txid: "d".repeat(64), vout: 0, value: 110n * 2n + 293n }];
    const e = errorOf(() => buildSweep({ wallet: regtest, utxos: small, index: 0, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 2 }));
    expect(e.code).toBe("dust");
    expect(e.message).toMatch(/293 sats .* below the 294 sat dust limit/);
    // one more sat is fine
    const ok = buildSweep({ wallet: regtest, utxos: [{ ...small[0]!, value: 110n * 2n + 294n }], index: 0, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 2 });
    expect(ok.amount).toBe(294n);
    // a fee larger than the funds is dust too, never a negative output
    expect(errorOf(() => buildSweep({ wallet: regtest, utxos: small, index: 0, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 100 })).code).toBe("dust");
  });

  it("knows Bitcoin Core's dust thresholds per output type", () => {
    expect(dustThreshold(addressOutputScript(FORWARD_REGTEST, "regtest"))).toBe(294n);
    expect(dustThreshold(addressOutputScript("bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6", "regtest"))).toBe(330n);
    expect(dustThreshold(addressOutputScript("mkpZhYtJu2r87Js3pDiWJDmPte2NRZ8bJV", "regtest"))).toBe(546n);
  });

  it("refuses bad input", () => {
    const base: SweepInput = { wallet: regtest, utxos, index: 0, toAddress: FORWARD_REGTEST, feeRateSatPerVb: 1 };
    const bad: Array<[Partial<SweepInput>, RegExp]> = [
      [{ utxos: [] }, /no UTXOs/],
      [{ utxos: [{ txid: "xyz", vout: 0, value: 1000n }] }, /64 hex/],
      [{ utxos: [{ txid: "e".repeat(64), vout: -1, value: 1000n }] }, /vout/],
      [{ utxos: [{ txid: "e".repeat(64), vout: 0, value: 0n }] }, /positive bigint/],
      [{ utxos: [utxos[0]!, { ...utxos[0]! }] }, /listed twice/],
      [{ toAddress: "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu" }, /BTC_FORWARD_ADDRESS/],
      [{ toAddress: "not an address" }, /not a valid regtest Bitcoin address/],
      [{ feeRateSatPerVb: 0 }, /greater than 0/],
      [{ feeRateSatPerVb: -1 }, /fee rate/],
      [{ feeRateSatPerVb: Number.NaN }, /fee rate/],
      [{ feeRateSatPerVb: "fast" }, /fee rate/],
      [{ feeRateSatPerVb: 100_000 }, /above 5000/],
    ];
    for (const [patch, why] of bad) {
      const e = errorOf(() => buildSweep({ ...base, ...patch }));
      expect(e.message).toMatch(why);
    }
    expect(errorOf(() => buildSweep({ ...base, network: "mainnet" })).code).toBe("network_mismatch");
  });
});
