import "server-only";
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import sshpk from "sshpk";
import { z } from "zod";
import { ConfigError, optionalSetting as optional } from "@/lib/env";
import { sandboxAllowed } from "@/lib/rails/sandbox";
import { processState } from "@/lib/singleton";

// The NEO Bank / Bill Bitts gateway's settings. This is the only place that reads the
// NEOBANK_* variables. With all four credentials set the rail talks to the real gateway;
// with none set it runs against the local sandbox (lib/rails/neobank/sandbox) where
// sandboxAllowed() says no real money can be involved, and is off everywhere else. Half a
// configuration is an error naming what is missing, never a silent fallback to the sandbox.
//
// NEOBANK_MODE=signed (default) is Satchel's contract: HMAC-signed webhooks at
// /api/webhooks/neobank. NEOBANK_MODE=compat speaks the user's earlier Bill Bitts integration:
// unsigned webhooks at /webhooks/neo-payment/ (and /api/webhooks/neobank), each confirmed by our
// own RSA-signed status query before it moves money; NEOBANK_WEBHOOK_SECRET is then optional.
// The BILLBITTS_* names of that integration are aliases of the NEOBANK_* ones, and the private
// key may be PEM text, a file path (NEOBANK_PRIVATE_KEY_FILE / BILLBITTS_PRIVATE_KEY_PATH),
// PKCS#8, PKCS#1 or OpenSSH ("ssh-keygen -t rsa -b 2048").

export type CreditOn = "success" | "settled";
export type NeobankMode = "signed" | "compat";

/** The old names each NEOBANK_* setting also answers to (the seed's .env). */
export const NEOBANK_ALIASES: Record<string, string> = {
  NEOBANK_API_URL: "BILLBITTS_API_URL",
  NEOBANK_API_KEY: "BILLBITTS_API_KEY",
  NEOBANK_PRIVATE_KEY_FILE: "BILLBITTS_PRIVATE_KEY_PATH",
};

export interface NeobankSettings {
  enabled: boolean;
  /** True when the in-process sandbox plays the gateway (credentials generated per process). */
  sandbox: boolean;
  /** Base URL of the gateway API; null for the sandbox (known once it has started). */
  apiUrl: string | null;
  apiKey: string;
  /** Signs every request body (RSA-SHA256). */
  privateKey: KeyObject | null;
  /** Empty in compat mode without a secret (webhooks are then confirmed by a status query). */
  webhookSecret: string;
  creditOn: CreditOn;
  mode: NeobankMode;
  /** Credits per whole currency unit for an unmatched deposit (null: an admin chooses each time). */
  creditsPerUnit: number | null;
  /** Credit an unmatched, gateway-confirmed deposit of a known CPRN at once (needs creditsPerUnit). */
  autoCreditDeposits: boolean;
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
  NEOBANK_PRIVATE_KEY_FILE: optional,
  NEOBANK_MODE: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v) => (v ? v : "signed"))
    .pipe(
      z.enum(["signed", "compat"], { message: "must be signed (HMAC-signed webhooks, recommended) or compat (the Bill Bitts integration's unsigned ones)" }),
    ),
  NEOBANK_CREDITS_PER_UNIT: optional.pipe(
    z
      .string()
      .regex(/^\d{1,9}$/, "must be a whole number of credits per currency unit, such as 25")
      .transform(Number)
      .refine((n) => n > 0, "must be at least 1")
      .optional(),
  ),
  NEOBANK_AUTO_CREDIT_DEPOSITS: z
    .enum(["1", "0", "true", "false", ""])
    .optional()
    .transform((v) => v === "1" || v === "true"),
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
type Credential = (typeof CREDENTIALS)[number];

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
  if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) key = openSshKey(text);
  else
    try {
      key = createPrivateKey({ key: text, format: "pem" });
    } catch {
      throw new Error(
        "must be a PEM private key (-----BEGIN PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN OPENSSH PRIVATE KEY-----; \\n escapes are fine) or the path of a file holding one",
      );
    }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`must be an RSA key (got ${key.asymmetricKeyType ?? "unknown"})`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`must be an RSA key of at least 2048 bits (got ${bits})`);
  return key;
}

/**
 * An OpenSSH-format private key (what `ssh-keygen -t rsa` writes since OpenSSH 7.8). node:crypto
 * reads PEM/DER only; sshpk converts it to PKCS#8. A key with a passphrase is refused with the
 * command that removes it (Satchel starts unattended).
 */
function openSshKey(text: string): KeyObject {
  let k: sshpk.PrivateKey;
  try {
    k = sshpk.parsePrivateKey(text, "ssh");
  } catch (err) {
    if (err instanceof Error && err.name === "KeyEncryptedError")
      throw new Error("is an OpenSSH key protected by a passphrase; Satchel cannot type it in — remove it with ssh-keygen -p -N '' -f <file>");
    throw new Error(`is not a readable OpenSSH private key (${err instanceof Error ? err.message.slice(0, 120) : "unknown error"})`);
  }
  if (k.type !== "rsa") throw new Error(`must be an RSA key (got ${k.type}; make one with ssh-keygen -t rsa -b 2048)`);
  return createPrivateKey({ key: k.toString("pkcs8"), format: "pem" });
}

/** Looks like a file path rather than key text (no PEM armour, no spaces or newlines). */
function looksLikePath(value: string): boolean {
  return !value.includes("-----BEGIN") && !/[\s]/.test(value) && /[/\\.]/.test(value);
}

function readKeyFile(file: string): string {
  if (!existsSync(file)) throw new Error(`names the file ${file}, which does not exist`);
  if (!statSync(file).isFile()) throw new Error(`names ${file}, which is not a file`);
  if (statSync(file).size > 64 * 1024) throw new Error(`names ${file}, which is too large to be a private key`);
  return readFileSync(file, "utf8");
}

/** The NEOBANK_* value, or its BILLBITTS_* alias (both set differently is an error naming both). */
function withAliases(source: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...source };
  for (const [name, alias] of Object.entries(NEOBANK_ALIASES)) {
    const a = source[name]?.trim();
    const b = source[alias]?.trim();
    if (a && b && a !== b) throw invalid(name, `and ${alias} are both set, to different values; keep one`);
    if (!a && b) out[name] = b;
  }
  return out;
}

/** Resolves the settings from a set of variables (process.env in the app). */
export function resolveNeobankSettings(source: Record<string, string | undefined>, allowSandbox: boolean): NeobankSettings {
  const parsed = schema.safeParse(withAliases(source));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(String(issue.path[0] ?? "NEOBANK"), issue.message);
  }
  const e = parsed.data;
  if (e.NEOBANK_PRIVATE_KEY && e.NEOBANK_PRIVATE_KEY_FILE)
    throw invalid("NEOBANK_PRIVATE_KEY", "and NEOBANK_PRIVATE_KEY_FILE are both set; keep one (the key text, or the path of its file)");
  if (e.NEOBANK_AUTO_CREDIT_DEPOSITS && e.NEOBANK_CREDITS_PER_UNIT === undefined)
    throw invalid("NEOBANK_CREDITS_PER_UNIT", "is required when NEOBANK_AUTO_CREDIT_DEPOSITS is on (the rate unmatched deposits are credited at)");
  const keyVariable = e.NEOBANK_PRIVATE_KEY_FILE
    ? source.NEOBANK_PRIVATE_KEY_FILE?.trim()
      ? "NEOBANK_PRIVATE_KEY_FILE"
      : "BILLBITTS_PRIVATE_KEY_PATH"
    : "NEOBANK_PRIVATE_KEY";
  const keyText = e.NEOBANK_PRIVATE_KEY ?? e.NEOBANK_PRIVATE_KEY_FILE;
  const common = {
    creditOn: e.NEOBANK_CREDIT_ON,
    mode: e.NEOBANK_MODE,
    creditsPerUnit: e.NEOBANK_CREDITS_PER_UNIT ?? null,
    autoCreditDeposits: e.NEOBANK_AUTO_CREDIT_DEPOSITS,
  };
  const value = (k: Credential) => (k === "NEOBANK_PRIVATE_KEY" ? keyText : e[k]);
  // In compat mode the gateway signs nothing, so no webhook secret is needed (one may still be set).
  const required = CREDENTIALS.filter((k) => !(k === "NEOBANK_WEBHOOK_SECRET" && e.NEOBANK_MODE === "compat"));
  const set = CREDENTIALS.filter((k) => value(k) !== undefined);
  if (set.length === 0) {
    if (!allowSandbox) return { enabled: false, sandbox: false, apiUrl: null, apiKey: "", privateKey: null, webhookSecret: "", ...common };
    const c = sandboxCredentials();
    return { enabled: true, sandbox: true, apiUrl: null, apiKey: c.apiKey, privateKey: c.privateKey, webhookSecret: c.webhookSecret, ...common };
  }
  const missing = required.find((k) => value(k) === undefined);
  if (missing)
    throw invalid(
      missing,
      `is required when ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set (the NEO Bank gateway needs ${required.length === 4 ? "all four" : "all three in compat mode"})`,
    );
  let privateKey: KeyObject;
  try {
    const fromFile = keyVariable !== "NEOBANK_PRIVATE_KEY" || looksLikePath(keyText!);
    privateKey = parsePrivateKey(fromFile ? readKeyFile(keyText!) : keyText!);
  } catch (err) {
    throw invalid(keyVariable, (err as Error).message);
  }
  return {
    enabled: true,
    sandbox: false,
    apiUrl: e.NEOBANK_API_URL!,
    apiKey: e.NEOBANK_API_KEY!,
    privateKey,
    webhookSecret: e.NEOBANK_WEBHOOK_SECRET ?? "",
    ...common,
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
