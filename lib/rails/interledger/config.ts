import "server-only";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { optionalSetting as blank, ConfigError } from "@/lib/env";
import { sandboxAllowed } from "@/lib/rails/sandbox";

// Settings of the Interledger rail, read from process.env here and nowhere else.
//   live:     the merchant's own Open Payments wallet (OPEN_PAYMENTS_WALLET_ADDRESS) and the
//             Ed25519 key registered for it (OPEN_PAYMENTS_KEY_ID, OPEN_PAYMENTS_PRIVATE_KEY).
//   sandbox:  none of those set and sandboxes allowed (embedded default, SANDBOX_RAILS=1):
//             the in-process fake wallets of lib/rails/interledger/sandbox. Not real money.
//   disabled: otherwise.

/** A fixed default, so the sandbox's buyer wallets have addresses worth writing down. */
export const DEFAULT_SANDBOX_PORT = 3003;

export type InterledgerMode = "live" | "sandbox" | "disabled";

export interface InterledgerSettings {
  mode: InterledgerMode;
  /** The merchant's wallet address (live only; the sandbox provides its own). */
  walletAddress: string | null;
  keyId: string | null;
  privateKey: KeyObject | null;
  /** Rafiki's webhook signature secret; null ⇒ the webhook route refuses every call (live). */
  webhookSecret: string | null;
  /** Port of the in-process sandbox (default 3003; 0 = any free port). */
  sandboxPort: number;
  /** FX_FIXED_RATES, for merchant wallets whose asset is not the package currency. */
  fxFixedRates: string | undefined;
}

const schema = z.object({
  OPEN_PAYMENTS_WALLET_ADDRESS: blank.pipe(
    z
      .string()
      .refine((v) => isHttpsUrl(v), "must be the merchant's wallet address as an https URL, such as https://ilp.interledger-test.dev/shop")
      .optional(),
  ),
  OPEN_PAYMENTS_KEY_ID: blank.pipe(z.string().max(200, "must be at most 200 characters").optional()),
  OPEN_PAYMENTS_PRIVATE_KEY: blank,
  OPEN_PAYMENTS_WEBHOOK_SECRET: blank.pipe(z.string().min(16, "must be at least 16 characters (the secret Rafiki signs webhooks with)").optional()),
  OPEN_PAYMENTS_SANDBOX_PORT: blank.pipe(
    z
      .string()
      .regex(/^\d{1,5}$/, "must be a port number (0 = any free port)")
      .transform(Number)
      .pipe(z.number().max(65535, "must be a port number (0 = any free port)"))
      .optional(),
  ),
  FX_FIXED_RATES: blank,
});

function isHttpsUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" && Boolean(u.hostname) && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * An Ed25519 private key from PEM (literal "\n" escapes accepted, as .env files and CI
 * secrets often carry them) or from base64-encoded PEM (what Rafiki's test wallet hands out).
 */
export function parseEd25519PrivateKey(value: string, variable = "OPEN_PAYMENTS_PRIVATE_KEY"): KeyObject {
  let pem = value.trim().replace(/\\n/g, "\n");
  if (!pem.includes("-----BEGIN")) {
    const decoded = Buffer.from(pem, "base64").toString("utf8");
    if (decoded.includes("-----BEGIN")) pem = decoded;
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`${variable}: is not a PEM private key (-----BEGIN PRIVATE KEY----- …; literal \\n escapes are fine)`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new ConfigError(`${variable}: must be an Ed25519 key, got ${key.asymmetricKeyType ?? "an unknown key type"}`);
  return key;
}

/** Parses the rail's settings from a set of variables; throws a ConfigError naming the variable. */
export function parseInterledgerSettings(source: Record<string, string | undefined>, allowSandbox: boolean): InterledgerSettings {
  const r = schema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid Interledger configuration:\n${lines.join("\n")}\nSee .env.example.`);
  }
  const e = r.data;
  const creds = {
    OPEN_PAYMENTS_WALLET_ADDRESS: e.OPEN_PAYMENTS_WALLET_ADDRESS,
    OPEN_PAYMENTS_KEY_ID: e.OPEN_PAYMENTS_KEY_ID,
    OPEN_PAYMENTS_PRIVATE_KEY: e.OPEN_PAYMENTS_PRIVATE_KEY,
  };
  const given = Object.entries(creds).filter(([, v]) => v !== undefined);
  const base = {
    webhookSecret: e.OPEN_PAYMENTS_WEBHOOK_SECRET ?? null,
    sandboxPort: e.OPEN_PAYMENTS_SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT,
    fxFixedRates: e.FX_FIXED_RATES,
  };
  if (given.length === 0) return { mode: allowSandbox ? "sandbox" : "disabled", walletAddress: null, keyId: null, privateKey: null, ...base };
  const missing = Object.entries(creds).find(([, v]) => v === undefined);
  if (missing)
    throw new ConfigError(
      `${missing[0]}: is required when ${given.map(([k]) => k).join(" and ")} ${given.length === 1 ? "is" : "are"} set (the Interledger rail needs the wallet address, key id and private key together)`,
    );
  return {
    mode: "live",
    walletAddress: e.OPEN_PAYMENTS_WALLET_ADDRESS!,
    keyId: e.OPEN_PAYMENTS_KEY_ID!,
    privateKey: parseEd25519PrivateKey(e.OPEN_PAYMENTS_PRIVATE_KEY!),
    ...base,
  };
}

let cached: InterledgerSettings | undefined;

export function interledgerSettings(): InterledgerSettings {
  cached ??= parseInterledgerSettings(process.env, sandboxAllowed());
  return cached;
}

export function resetInterledgerSettingsForTests(): void {
  cached = undefined;
}
