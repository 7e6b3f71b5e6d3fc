import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ConfigError, env, optionalSetting as optional } from "@/lib/env";
import { sandboxAllowed } from "@/lib/rails/sandbox";
import { parseFxFixedRates } from "@/lib/rates/fx";
import { RateError } from "@/lib/rates/types";
import { processState } from "@/lib/singleton";

// The M-Pesa rail's settings: the only place that reads the MPESA_* variables (and
// FX_FIXED_RATES for the KES conversion). Three modes:
//   live    — MPESA_CONSUMER_KEY and MPESA_CONSUMER_SECRET are set: Daraja (its sandbox or
//             production, by MPESA_ENV) with the merchant's shortcode and passkey;
//   local   — no credentials, and sandboxAllowed(): the in-process fake Daraja
//             (lib/rails/mpesa/sandbox) with Daraja's public sandbox shortcode and passkey;
//   off     — neither.

/** Daraja's published sandbox test shortcode and passkey (public; used only by the local fake). */
export const SANDBOX_SHORTCODE = "174379";
export const SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
export const DEFAULT_SANDBOX_FX = "USD:KES=129.50";

const BASE_URLS = { sandbox: "https://sandbox.safaricom.co.ke", production: "https://api.safaricom.co.ke" } as const;

const schema = z.object({
  MPESA_ENV: optional.pipe(z.enum(["sandbox", "production"], { message: "must be sandbox or production" }).optional()),
  MPESA_API_BASE_URL: optional.pipe(z.url({ message: "must be an absolute URL such as https://sandbox.safaricom.co.ke" }).optional()),
  MPESA_CONSUMER_KEY: optional,
  MPESA_CONSUMER_SECRET: optional,
  MPESA_SHORTCODE: optional.pipe(
    z
      .string()
      .regex(/^\d{5,7}$/, "must be the 5 to 7 digit paybill or store number")
      .optional(),
  ),
  MPESA_PASSKEY: optional,
  MPESA_TRANSACTION_TYPE: optional.pipe(
    z.enum(["CustomerPayBillOnline", "CustomerBuyGoodsOnline"], { message: "must be CustomerPayBillOnline or CustomerBuyGoodsOnline" }).optional(),
  ),
  MPESA_PARTY_B: optional.pipe(
    z
      .string()
      .regex(/^\d{5,7}$/, "must be the 5 to 7 digit paybill or till number")
      .optional(),
  ),
  MPESA_CALLBACK_BASE_URL: optional.pipe(z.url({ message: "must be an absolute URL such as https://pay.example.com" }).optional()),
  MPESA_CALLBACK_TOKEN: optional.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{24,200}$/, "must be at least 24 random URL-safe characters (openssl rand -hex 16)")
      .optional(),
  ),
  MPESA_ALLOWED_IPS: optional,
  MPESA_QUERY_AFTER_SECONDS: optional.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number of seconds")
      .transform(Number)
      .pipe(z.number().min(5, "must be at least 5").max(3600, "must be at most 3600"))
      .optional(),
  ),
  MPESA_PROMPTS_PER_PHONE_PER_HOUR: optional.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().min(1, "must be at least 1").max(10_000, "must be at most 10000"))
      .optional(),
  ),
  FX_FIXED_RATES: optional,
});

export type MpesaMode = "live" | "local" | "off";

export interface MpesaSettings {
  mode: MpesaMode;
  /** True when no real money moves: the local fake, or Daraja's sandbox. */
  testMoney: boolean;
  environment: "sandbox" | "production";
  /** Daraja base URL without a trailing slash; null in local mode (the fake picks its port). */
  baseUrl: string | null;
  consumerKey: string;
  consumerSecret: string;
  shortcode: string;
  passkey: string;
  transactionType: "CustomerPayBillOnline" | "CustomerBuyGoodsOnline";
  /** PartyB: the till (buy goods) or paybill receiving the money. */
  partyB: string;
  /** The full callback URL, token included. */
  callbackUrl: string;
  callbackToken: string;
  /** Exact IPs or IPv4 CIDR ranges allowed to call the callback; null = anyone with the token. */
  allowedIps: string[] | null;
  queryAfterSeconds: number;
  /** Payment prompts one phone number may get per hour, across all buyers (prompts must not be a harassment tool). */
  promptsPerPhonePerHour: number;
  /** FX_FIXED_RATES (USD:KES=129.50,…) or undefined. */
  fxFixedRates: string | undefined;
}

let cached: MpesaSettings | undefined;
// The local fake's callback token when MPESA_CALLBACK_TOKEN is unset: random per process
// (the fake lives in this process too, so nothing else ever needs it).
const g = processState<{ __satchelMpesaLocalToken?: string }>("rails/mpesa/config");

export function mpesaSettings(): MpesaSettings {
  cached ??= parseMpesaSettings(process.env);
  return cached;
}

export function resetMpesaSettingsForTests(): void {
  cached = undefined;
}

const fail = (variable: string, message: string): never => {
  throw new ConfigError(`Invalid configuration:\n  ${variable}: ${message}\nSee .env.example for every setting.`);
};

/** Resolves the settings from a set of variables; throws a ConfigError naming the variable. */
export function parseMpesaSettings(source: Record<string, string | undefined>): MpesaSettings {
  const r = schema.safeParse(source);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every setting.`);
  }
  const v = r.data;
  const e = env();
  const live = Boolean(v.MPESA_CONSUMER_KEY || v.MPESA_CONSUMER_SECRET);
  const mode: MpesaMode = live ? "live" : v.MPESA_ENV === "production" || !sandboxAllowed() ? "off" : "local";
  const environment = v.MPESA_ENV ?? "sandbox";
  const allowedIps = v.MPESA_ALLOWED_IPS ? parseAllowedIps(v.MPESA_ALLOWED_IPS) : null;
  const queryAfterSeconds = v.MPESA_QUERY_AFTER_SECONDS ?? 60;

  let fxFixedRates = v.FX_FIXED_RATES;
  if (!fxFixedRates && (mode === "local" || (mode === "live" && environment === "sandbox"))) fxFixedRates = DEFAULT_SANDBOX_FX;
  try {
    parseFxFixedRates(fxFixedRates);
  } catch (err) {
    if (err instanceof RateError) fail("FX_FIXED_RATES", err.message);
    throw err;
  }

  const base = {
    testMoney: mode !== "live" || environment === "sandbox",
    environment,
    allowedIps,
    queryAfterSeconds,
    promptsPerPhonePerHour: v.MPESA_PROMPTS_PER_PHONE_PER_HOUR ?? 5,
    fxFixedRates,
    transactionType: v.MPESA_TRANSACTION_TYPE ?? ("CustomerPayBillOnline" as const),
  };

  if (mode === "live") {
    if (!v.MPESA_CONSUMER_KEY) fail("MPESA_CONSUMER_KEY", "is required with MPESA_CONSUMER_SECRET (both from your Daraja app)");
    if (!v.MPESA_CONSUMER_SECRET) fail("MPESA_CONSUMER_SECRET", "is required with MPESA_CONSUMER_KEY (both from your Daraja app)");
    if (!v.MPESA_SHORTCODE) fail("MPESA_SHORTCODE", "is required for M-Pesa (your paybill, or the store number for buy goods)");
    if (!v.MPESA_PASSKEY) fail("MPESA_PASSKEY", "is required for M-Pesa (the Lipa Na M-Pesa Online passkey Safaricom sent you)");
    if (!v.MPESA_CALLBACK_TOKEN)
      fail("MPESA_CALLBACK_TOKEN", "is required for M-Pesa: M-Pesa callbacks are unsigned, so this secret path segment proves them (openssl rand -hex 16)");
    if (base.transactionType === "CustomerBuyGoodsOnline" && !v.MPESA_PARTY_B)
      fail("MPESA_PARTY_B", "is required with MPESA_TRANSACTION_TYPE=CustomerBuyGoodsOnline (the till number)");
    const callbackBase =
      v.MPESA_CALLBACK_BASE_URL ??
      e.callbackUrl ??
      fail("APP_URL", "is required on this Vercel deployment: Daraja calls back on it (the production domain is used for links only)");
    if (environment === "production" && !callbackBase.startsWith("https://"))
      fail(v.MPESA_CALLBACK_BASE_URL ? "MPESA_CALLBACK_BASE_URL" : "APP_URL", "must be an https:// URL: Daraja only calls back over HTTPS");
    return {
      ...base,
      mode,
      baseUrl: (v.MPESA_API_BASE_URL ?? BASE_URLS[environment]).replace(/\/+$/, ""),
      consumerKey: v.MPESA_CONSUMER_KEY!,
      consumerSecret: v.MPESA_CONSUMER_SECRET!,
      shortcode: v.MPESA_SHORTCODE!,
      passkey: v.MPESA_PASSKEY!,
      partyB: v.MPESA_PARTY_B ?? v.MPESA_SHORTCODE!,
      callbackUrl: callbackUrl(callbackBase, v.MPESA_CALLBACK_TOKEN!),
      callbackToken: v.MPESA_CALLBACK_TOKEN!,
    };
  }

  // One random token per process, so the local fake and the callback route agree.
  if (!v.MPESA_CALLBACK_TOKEN) g.__satchelMpesaLocalToken ??= randomBytes(18).toString("base64url");
  const token = v.MPESA_CALLBACK_TOKEN ?? g.__satchelMpesaLocalToken!;
  return {
    ...base,
    mode,
    // Local mode talks to the in-process fake only; an override would point real-looking
    // credentials at an unknown server.
    baseUrl: null,
    consumerKey: "satchel-local-sandbox",
    consumerSecret: "satchel-local-sandbox-secret",
    shortcode: SANDBOX_SHORTCODE,
    passkey: SANDBOX_PASSKEY,
    partyB: v.MPESA_PARTY_B ?? SANDBOX_SHORTCODE,
    callbackUrl: callbackUrl(v.MPESA_CALLBACK_BASE_URL ?? e.callbackUrl ?? e.APP_URL, token),
    callbackToken: token,
  };
}

function callbackUrl(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/api/webhooks/mpesa/${encodeURIComponent(token)}`;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseAllowedIps(value: string): string[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [ip, bits] = item.split("/");
    const v4 = IPV4.exec(ip ?? "");
    const okV4 = v4?.slice(1).every((o) => Number(o) <= 255) && (bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32));
    const okV6 = !v4 && bits === undefined && /^[0-9a-fA-F:]+$/.test(ip ?? "") && (ip ?? "").includes(":");
    if (!okV4 && !okV6) fail("MPESA_ALLOWED_IPS", `${JSON.stringify(item)} is not an IP address or IPv4 CIDR range (e.g. 196.201.214.200,196.201.214.0/24)`);
  }
  return list;
}

const v4ToInt = (ip: string): number | null => {
  const m = IPV4.exec(ip);
  if (!m) return null;
  return m.slice(1).reduce((acc, o) => acc * 256 + Number(o), 0);
};

/** Whether `ip` (IPv4, IPv6, or IPv4-mapped IPv6) is in the allow-list. */
export function ipAllowed(ip: string, allowed: string[]): boolean {
  const addr = ip.trim().replace(/^::ffff:/i, "");
  for (const entry of allowed) {
    const [net, bits] = entry.split("/");
    if (bits === undefined) {
      if (net!.toLowerCase() === addr.toLowerCase()) return true;
      continue;
    }
    const a = v4ToInt(addr);
    const n = v4ToInt(net!);
    if (a === null || n === null) continue;
    const size = 2 ** (32 - Number(bits));
    if (Math.floor(a / size) === Math.floor(n / size)) return true;
  }
  return false;
}
