import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/env";
import { parsePrivateKey, resolveNeobankSettings } from "./config";
import { decimalToMinor, minorToDecimal, minorUnitName } from "./protocol";

const pem = (bits: number, type: "pkcs8" | "pkcs1" = "pkcs8") =>
  generateKeyPairSync("rsa", { modulusLength: bits }).privateKey.export({ type, format: "pem" }).toString();
const rsa2048 = pem(2048);
const full = {
  NEOBANK_API_URL: "https://api.billbitcoins.com/",
  NEOBANK_API_KEY: "pk_live_0123456789",
  NEOBANK_PRIVATE_KEY: rsa2048,
  NEOBANK_WEBHOOK_SECRET: "whsec_0123456789abcdef",
};

const error = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("NEO Bank settings", () => {
  it("uses the real gateway when all four credentials are set", () => {
    const s = resolveNeobankSettings(full, true);
    expect(s).toMatchObject({ enabled: true, sandbox: false, apiUrl: "https://api.billbitcoins.com", apiKey: "pk_live_0123456789", creditOn: "success" });
    expect(s.privateKey?.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it("falls back to the sandbox only where allowed, and is off otherwise", () => {
    expect(resolveNeobankSettings({}, true)).toMatchObject({ enabled: true, sandbox: true, apiUrl: null });
    expect(resolveNeobankSettings({}, false)).toMatchObject({ enabled: false, sandbox: false });
    // Real credentials win over the sandbox even where it is allowed.
    expect(resolveNeobankSettings(full, true).sandbox).toBe(false);
  });

  it("names the missing variable of a half configuration", () => {
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_WEBHOOK_SECRET: "" }, true))).toContain("NEOBANK_WEBHOOK_SECRET: is required");
    expect(error(() => resolveNeobankSettings({ NEOBANK_API_KEY: "pk_live_0123456789" }, true))).toContain("NEOBANK_API_URL: is required");
  });

  it("accepts a PEM with literal \\n escapes (one-line env files) and PKCS#1", () => {
    const oneLine = rsa2048.trim().replace(/\n/g, "\\n");
    expect(resolveNeobankSettings({ ...full, NEOBANK_PRIVATE_KEY: oneLine }, false).enabled).toBe(true);
    expect(parsePrivateKey(`"${oneLine}"`).asymmetricKeyType).toBe("rsa");
    expect(parsePrivateKey(pem(3072, "pkcs1")).asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it("refuses keys that are not RSA-2048 or better", () => {
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_PRIVATE_KEY: pem(1024) }, false))).toContain(
      "NEOBANK_PRIVATE_KEY: must be an RSA key of at least 2048 bits (got 1024)",
    );
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_PRIVATE_KEY: ec }, false))).toContain("NEOBANK_PRIVATE_KEY: must be an RSA key (got ec)");
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_PRIVATE_KEY: "not a key" }, false))).toContain(
      "NEOBANK_PRIVATE_KEY: must be a PEM private key",
    );
  });

  it("validates the URL, the secret and NEOBANK_CREDIT_ON", () => {
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_API_URL: "http://api.example.com" }, false))).toContain(
      "NEOBANK_API_URL: must be an https:// URL",
    );
    expect(resolveNeobankSettings({ ...full, NEOBANK_API_URL: "http://127.0.0.1:8080" }, false).apiUrl).toBe("http://127.0.0.1:8080");
    expect(error(() => resolveNeobankSettings({ ...full, NEOBANK_WEBHOOK_SECRET: "short" }, false))).toContain(
      "NEOBANK_WEBHOOK_SECRET: must be at least 16 characters",
    );
    expect(error(() => resolveNeobankSettings({ NEOBANK_CREDIT_ON: "paid" }, true))).toContain("NEOBANK_CREDIT_ON: must be success or settled");
    expect(resolveNeobankSettings({ NEOBANK_CREDIT_ON: "SETTLED" }, true).creditOn).toBe("settled");
  });
});

describe("amounts", () => {
  it("converts the gateway's decimal strings to minor units exactly", () => {
    expect(decimalToMinor("20.00", "USD")).toBe(2000n);
    expect(decimalToMinor("20", "USD")).toBe(2000n);
    expect(decimalToMinor("0.1", "USD")).toBe(10n);
    expect(decimalToMinor("1500", "JPY")).toBe(1500n);
    expect(decimalToMinor("20.001", "USD")).toBeNull();
    expect(decimalToMinor("-5", "USD")).toBeNull();
    expect(decimalToMinor("1e3", "USD")).toBeNull();
    expect(decimalToMinor("20.000", "USD")).toBeNull();
    expect(decimalToMinor("+20", "USD")).toBeNull();
    expect(decimalToMinor(" 20", "USD")).toBeNull();
    expect(decimalToMinor("20.5", "JPY")).toBeNull();
    expect(minorToDecimal(2000n, "USD")).toBe("20.00");
    expect(minorToDecimal(5n, "USD")).toBe("0.05");
    expect(minorToDecimal(1500n, "JPY")).toBe("1500");
    expect(minorUnitName("USD")).toBe("USD cents");
    expect(minorUnitName("JPY")).toBe("JPY");
  });
});
