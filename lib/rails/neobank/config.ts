import "server-only";
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { z } from "zod";
import { ConfigError, optionalSetting as optional } from "@/lib/env";
import { sandboxAllowed } from "@/lib/rails/sandbox";
import { processState } from "@/lib/singleton";

// The NEO Bank / Bill Bitts gateway's settings. This is the only place that reads the
// NEOBANK_* variables. With all four credentials set the rail talks to the real gateway;
// with none set it runs against the local sandbox (lib/rails/neobank/sandbox) where
// sandboxAllowed() says no real money can be involved, and is off everywhere else. Half a
// configuration is an error naming what is missing, never a silent fallback to the sandbox.

export type CreditOn = "success" | "settled";

export interface NeobankSettings {
  enabled: boolean;
  /** True when the in-process sandbox plays the gateway (credentials generated per process). */
  sandbox: boolean;
  /** Base URL of the gateway API; null for the sandbox (known once it has started). */
  apiUrl: string | null;
  apiKey: string;
  /** Signs every request body (RSA-SHA256). */
  privateKey: KeyObject | null;
  webhookSecret: string;
  creditOn: CreditOn;
}

const schema = z.object({
  NEOBANK_API_URL: optional.pipe(
    z
      .url({ message: "must be an absolute URL such as https://api.billbitcoins.com" })
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === "https:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
      }, "must be an https:// URL (plain http only for localhost)")
      .transform((u) => u.replace(/\/+$/, ""))
      .optional(),
  ),
  NEOBANK_API_KEY: optional.pipe(z.string().min(8, "must be the API key from the Bill Bitts dashboard (8+ characters)").optional()),
  NEOBANK_PRIVATE_KEY: optional,
  NEOBANK_WEBHOOK_SECRET: optional.pipe(z.string().min(16, "must be at least 16 characters (openssl rand -hex 32)").optional()),
  NEOBANK_CREDIT_ON: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => (v ? v : "success"))
    .pipe(z.enum(["success", "settled"], { message: "must be success or settled" })),
});

const CREDENTIALS = ["NEOBANK_API_URL", "NEOBANK_API_KEY", "NEOBANK_PRIVATE_KEY", "NEOBANK_WEBHOOK_SECRET"] as const;

function invalid(variable: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration:\n  ${variable}: ${message}\nSee .env.example for every setting.`);
}

/**
 * Parses an RSA private key in PEM (PKCS#8 or PKCS#1). Environment files often hold a PEM on
 * one line with literal "\n" escapes; those are turned back into newlines first.
 */
export function parsePrivateKey(pem: string): KeyObject {
  const text = pem
    .trim()
    .replace(/^["']|["']$/g, "")
    .replace(/\\r/g, "")
    .replace(/\\n/g, "\n");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: "pem" });
  } catch {
    throw new Error("must be a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----; \\n escapes are fine)");
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`must be an RSA key (got ${key.asymmetricKeyType ?? "unknown"})`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`must be an RSA key of at least 2048 bits (got ${bits})`);
  return key;
}

/** Resolves the settings from a set of variables (process.env in the app). */
export function resolveNeobankSettings(source: Record<string, string | undefined>, allowSandbox: boolean): NeobankSettings {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(String(issue.path[0] ?? "NEOBANK"), issue.message);
  }
  const e = parsed.data;
  const creditOn = e.NEOBANK_CREDIT_ON;
  const set = CREDENTIALS.filter((k) => e[k] !== undefined);
  if (set.length === 0) {
    if (!allowSandbox) return { enabled: false, sandbox: false, apiUrl: null, apiKey: "", privateKey: null, webhookSecret: "", creditOn };
    const c = sandboxCredentials();
    return { enabled: true, sandbox: true, apiUrl: null, apiKey: c.apiKey, privateKey: c.privateKey, webhookSecret: c.webhookSecret, creditOn };
  }
  const missing = CREDENTIALS.find((k) => e[k] === undefined);
  if (missing) throw invalid(missing, `is required when ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set (the NEO Bank gateway needs all four)`);
  let privateKey: KeyObject;
  try {
    privateKey = parsePrivateKey(e.NEOBANK_PRIVATE_KEY!);
  } catch (err) {
    throw invalid("NEOBANK_PRIVATE_KEY", (err as Error).message);
  }
  return {
    enabled: true,
    sandbox: false,
    apiUrl: e.NEOBANK_API_URL!,
    apiKey: e.NEOBANK_API_KEY!,
    privateKey,
    webhookSecret: e.NEOBANK_WEBHOOK_SECRET!,
    creditOn,
  };
}

// ── Sandbox credentials ──────────────────────────────────────────────────────────────
// Generated once per process and kept in process state: Next.js may load this module more than
// once (route bundles, instrumentation), and the sandbox, the client and the webhook route
// must all agree on them.

export interface SandboxCredentials {
  apiKey: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  webhookSecret: string;
}

const g = processState<{ __satchelNeobankSandboxCreds?: SandboxCredentials; __satchelNeobankSettings?: NeobankSettings }>("rails/neobank/config");

export function sandboxCredentials(): SandboxCredentials {
  if (!g.__satchelNeobankSandboxCreds) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    g.__satchelNeobankSandboxCreds = {
      apiKey: `sbx_${randomBytes(18).toString("base64url")}`,
      privateKey,
      publicKey,
      webhookSecret: `whsec_sbx_${randomBytes(24).toString("base64url")}`,
    };
  }
  return g.__satchelNeobankSandboxCreds;
}

/** The validated settings of this process. */
export function neobankSettings(): NeobankSettings {
  g.__satchelNeobankSettings ??= resolveNeobankSettings(process.env, sandboxAllowed());
  return g.__satchelNeobankSettings;
}

/** Tests change process.env between cases; this forgets the resolved copy (not the sandbox keys). */
export function resetNeobankSettingsForTests(): void {
  g.__satchelNeobankSettings = undefined;
}
