import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "@/lib/env";
import { parsePrivateKey, resolveNeobankSettings } from "./config";
import { decimalToMinor, minorToDecimal, minorUnitName } from "./protocol";
import { signRequestBody, verifyRequestBody } from "./signing";

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

describe("the Bill Bitts integration's settings (compat mode, aliases, key files)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "satchel-neobank-keys-"));
  /** A key exactly as the seed tells the user to make it: ssh-keygen -t rsa -b 2048 (OpenSSH format). */
  const sshKeygen = (name: string, passphrase = "") => {
    const file = path.join(dir, name);
    execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", passphrase, "-C", "billbitts", "-f", file]);
    return file;
  };
  const seedEnv = (keyPath: string) => ({
    NEOBANK_MODE: "compat",
    BILLBITTS_API_URL: "https://api.billbitcoins.com",
    BILLBITTS_API_KEY: "pk_live_XXXXXXXX",
    BILLBITTS_PRIVATE_KEY_PATH: keyPath,
  });

  it("reads the seed's .env: BILLBITTS_* names, a key file made by ssh-keygen, no webhook secret in compat mode", () => {
    const file = sshKeygen("billbitts_private");
    expect(readFileSync(file, "utf8")).toContain("-----BEGIN OPENSSH PRIVATE KEY-----");
    const s = resolveNeobankSettings(seedEnv(file), false);
    expect(s).toMatchObject({
      enabled: true,
      sandbox: false,
      mode: "compat",
      apiUrl: "https://api.billbitcoins.com",
      apiKey: "pk_live_XXXXXXXX",
      webhookSecret: "",
    });
    expect(s.privateKey?.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // What it signs verifies with the public key ssh-keygen wrote beside it (what the user uploaded).
    const pub = execFileSync("ssh-keygen", ["-e", "-m", "PKCS8", "-f", `${file}.pub`]).toString();
    expect(verifyRequestBody('{"cprn":"CPRN-ABC12345"}', signRequestBody('{"cprn":"CPRN-ABC12345"}', s.privateKey!), createPublicKey(pub))).toBe(true);
  });

  it("takes the key as OpenSSH text, as a path in NEOBANK_PRIVATE_KEY, or NEOBANK_PRIVATE_KEY_FILE", () => {
    const file = sshKeygen("id_rsa");
    const base = { NEOBANK_MODE: "compat", NEOBANK_API_URL: "https://api.billbitcoins.com", NEOBANK_API_KEY: "pk_live_0123456789" };
    expect(resolveNeobankSettings({ ...base, NEOBANK_PRIVATE_KEY: readFileSync(file, "utf8") }, false).privateKey?.asymmetricKeyType).toBe("rsa");
    expect(resolveNeobankSettings({ ...base, NEOBANK_PRIVATE_KEY: file }, false).enabled).toBe(true);
    expect(resolveNeobankSettings({ ...base, NEOBANK_PRIVATE_KEY_FILE: file }, false).enabled).toBe(true);
    const pemFile = path.join(dir, "key.pem");
    writeFileSync(pemFile, rsa2048);
    expect(resolveNeobankSettings({ ...full, NEOBANK_PRIVATE_KEY: undefined, NEOBANK_PRIVATE_KEY_FILE: pemFile }, false).mode).toBe("signed");
  });

  it("names what is wrong with a key file, an alias clash or a missing credential", () => {
    expect(error(() => resolveNeobankSettings(seedEnv(path.join(dir, "nope")), false))).toContain(
      `BILLBITTS_PRIVATE_KEY_PATH: names the file ${path.join(dir, "nope")}, which does not exist`,
    );
    expect(error(() => resolveNeobankSettings(seedEnv(sshKeygen("locked", "secret phrase")), false))).toContain("protected by a passphrase");
    const ed = path.join(dir, "ed");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", ed]);
    expect(error(() => resolveNeobankSettings(seedEnv(ed), false))).toContain("must be an RSA key (got ed25519");
    expect(error(() => resolveNeobankSettings({ ...full, BILLBITTS_API_KEY: "pk_other_0123456789" }, false))).toContain(
      "NEOBANK_API_KEY: and BILLBITTS_API_KEY are both set, to different values",
    );
    // Signed mode still needs the webhook secret; compat mode needs the other three.
    expect(error(() => resolveNeobankSettings({ ...seedEnv(sshKeygen("k2")), NEOBANK_MODE: "signed" }, false))).toContain(
      "NEOBANK_WEBHOOK_SECRET: is required",
    );
    expect(error(() => resolveNeobankSettings({ NEOBANK_MODE: "compat", BILLBITTS_API_KEY: "pk_live_XXXXXXXX" }, false))).toContain(
      "NEOBANK_API_URL: is required when NEOBANK_API_KEY is set (the NEO Bank gateway needs all three in compat mode)",
    );
    expect(error(() => resolveNeobankSettings({ NEOBANK_MODE: "unsigned" }, true))).toContain("NEOBANK_MODE: must be signed");
    expect(error(() => resolveNeobankSettings({ NEOBANK_AUTO_CREDIT_DEPOSITS: "1" }, true))).toContain("NEOBANK_CREDITS_PER_UNIT: is required");
    expect(resolveNeobankSettings({ NEOBANK_CREDITS_PER_UNIT: "25", NEOBANK_AUTO_CREDIT_DEPOSITS: "true" }, true)).toMatchObject({
      creditsPerUnit: 25,
      autoCreditDeposits: true,
      mode: "signed",
    });
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
