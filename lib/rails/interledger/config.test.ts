import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/env";
import { fixedFxSource } from "@/lib/rates/fx";
import { formatIlpAmount, priceInAsset } from "./amounts";
import { parseInterledgerSettings } from "./config";
import { normalizeWalletAddress } from "./wallet-address";

const ed = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const live = { OPEN_PAYMENTS_WALLET_ADDRESS: "https://ilp.interledger-test.dev/shop", OPEN_PAYMENTS_KEY_ID: "key-1", OPEN_PAYMENTS_PRIVATE_KEY: ed };

describe("Interledger settings", () => {
  it("live with all three credentials; the PEM may carry literal \\n escapes or be base64", () => {
    expect(parseInterledgerSettings(live, true).mode).toBe("live");
    expect(parseInterledgerSettings({ ...live, OPEN_PAYMENTS_PRIVATE_KEY: ed.replace(/\n/g, "\\n") }, false).privateKey?.asymmetricKeyType).toBe("ed25519");
    expect(parseInterledgerSettings({ ...live, OPEN_PAYMENTS_PRIVATE_KEY: Buffer.from(ed).toString("base64") }, false).mode).toBe("live");
  });

  it("without credentials: the sandbox where allowed, else disabled", () => {
    expect(parseInterledgerSettings({}, true).mode).toBe("sandbox");
    expect(parseInterledgerSettings({}, false).mode).toBe("disabled");
    expect(parseInterledgerSettings({}, true).sandboxPort).toBe(3003);
  });

  it("errors name the variable", () => {
    const err = (src: Record<string, string>) => {
      try {
        parseInterledgerSettings(src, true);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error("expected a ConfigError");
    };
    expect(err({ OPEN_PAYMENTS_WALLET_ADDRESS: live.OPEN_PAYMENTS_WALLET_ADDRESS })).toMatch(/^OPEN_PAYMENTS_KEY_ID: is required/);
    expect(err({ ...live, OPEN_PAYMENTS_PRIVATE_KEY: "" })).toMatch(/^OPEN_PAYMENTS_PRIVATE_KEY: is required/);
    expect(err({ ...live, OPEN_PAYMENTS_WALLET_ADDRESS: "http://ilp.example/shop" })).toMatch(/OPEN_PAYMENTS_WALLET_ADDRESS: must be/);
    expect(err({ ...live, OPEN_PAYMENTS_PRIVATE_KEY: "not a key" })).toMatch(/OPEN_PAYMENTS_PRIVATE_KEY: is not a PEM private key/);
    expect(err({ ...live, OPEN_PAYMENTS_PRIVATE_KEY: rsa })).toMatch(/OPEN_PAYMENTS_PRIVATE_KEY: must be an Ed25519 key/);
    expect(err({ OPEN_PAYMENTS_WEBHOOK_SECRET: "short" })).toMatch(/OPEN_PAYMENTS_WEBHOOK_SECRET: must be at least 16/);
    expect(err({ OPEN_PAYMENTS_SANDBOX_PORT: "99999" })).toMatch(/OPEN_PAYMENTS_SANDBOX_PORT/);
  });
});

describe("buyer wallet address input", () => {
  it("takes https URLs and payment pointers", () => {
    expect(normalizeWalletAddress(" https://ilp.example/alice/ ")).toEqual({ ok: true, url: "https://ilp.example/alice" });
    expect(normalizeWalletAddress("$ilp.example/alice")).toEqual({ ok: true, url: "https://ilp.example/alice" });
    expect(normalizeWalletAddress("$ilp.example")).toEqual({ ok: true, url: "https://ilp.example/.well-known/pay" });
  });
  it("refuses what cannot be a wallet address, saying why", () => {
    for (const bad of ["", "alice", "http://ilp.example/alice", "https://u:p@ilp.example/a", "https://ilp.example/a?x=1", "javascript:alert(1)"]) {
      const r = normalizeWalletAddress(bad);
      expect(r.ok).toBe(false);
    }
  });
});

describe("price in the merchant wallet's asset", () => {
  const fx = fixedFxSource("USD:EUR=0.923,USD:XRP=1.7");
  it("same currency: exact, rescaled to the wallet's scale", async () => {
    expect((await priceInAsset({ priceMinor: 2000, currency: "USD" }, { assetCode: "USD", assetScale: 2 }, fx)).value).toBe(2000n);
    expect((await priceInAsset({ priceMinor: 2000, currency: "USD" }, { assetCode: "USD", assetScale: 9 }, fx)).value).toBe(20_000_000_000n);
    // A wallet with fewer decimals than the currency rounds up: the shop never gets less.
    expect((await priceInAsset({ priceMinor: 2001, currency: "USD" }, { assetCode: "USD", assetScale: 0 }, fx)).value).toBe(21n);
  });
  it("another asset: FX_FIXED_RATES, rounded up, with the rate recorded", async () => {
    const eur = await priceInAsset({ priceMinor: 2000, currency: "USD" }, { assetCode: "EUR", assetScale: 2 }, fx);
    expect(eur).toMatchObject({ value: 1846n, unit: "EUR:2", rate: { value: "0.923", source: "fixed" } });
    const xrp = await priceInAsset({ priceMinor: 999, currency: "USD" }, { assetCode: "XRP", assetScale: 6 }, fx);
    expect(xrp.value).toBe(16_983_000n);
    await expect(priceInAsset({ priceMinor: 2000, currency: "USD" }, { assetCode: "GBP", assetScale: 2 }, fx)).rejects.toThrow(/FX_FIXED_RATES/);
  });
  it("formats asset amounts", () => {
    expect(formatIlpAmount(2000n, "USD:2")).toBe("20.00 USD");
    expect(formatIlpAmount("5", "XRP:0")).toBe("5 XRP");
  });
});
