import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type PropertyMapping, parsePropertyMapping } from "@/lib/omnisend-mapping";

// Every setting Satchel reads, validated once. Import `env()` instead of touching
// process.env, so a missing or malformed variable fails at start with its name.

/** An optional text setting: trimmed, and an empty value means unset (as in .env files). */
export const optionalSetting = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const optional = optionalSetting;

const boolish = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const decimal = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, "must be a non-negative decimal number such as 1.5");

const emailList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.email({ message: "must be a comma-separated list of email addresses" })));

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    VERCEL: boolish,
    DATABASE_URL: optional.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
        .optional(),
    ),
    SATCHEL_DATA_DIR: z.string().default(".data"),
    // Unset: where `next start` listens on this machine (PORT, default 3000); on Vercel, see appUrl() below.
    APP_URL: optional.pipe(z.url({ message: "must be an absolute URL such as https://pay.example.com" }).optional()),
    PORT: optional,
    // Set by Vercel itself: production | preview | development, and the production domain (no scheme).
    VERCEL_ENV: optional,
    VERCEL_PROJECT_PRODUCTION_URL: optional,
    AUTH_SECRET: optional.pipe(z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional()),
    ADMIN_EMAILS: emailList,
    AUTH_GITHUB_ID: optional,
    AUTH_GITHUB_SECRET: optional,
    SMTP_URL: optional.pipe(z.url({ message: "must be an smtp:// or smtps:// URL" }).optional()),
    EMAIL_FROM: optional,
    // The shop's copy of every receipt (one or more addresses; EMAIL_BCC is the older name).
    RECEIPTS_BCC: emailList,
    EMAIL_BCC: emailList,
    // How many reverse proxies in front of Satchel append to X-Forwarded-For (0: none, so no
    // client address is read from headers). Vercel's own header is used on Vercel.
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DEMO_USERS: boolish,
    // How buyers reach the operator: shown on every checkout that needs a person, and in emails.
    SUPPORT_EMAIL: optional.pipe(z.email({ message: "must be an email address such as support@example.com" }).optional()),
    SUPPORT_URL: optional.pipe(
      z
        .url({ message: "must be an absolute http(s) URL such as https://example.com/help" })
        .regex(/^https?:\/\//, "must be an absolute http(s) URL such as https://example.com/help")
        .optional(),
    ),

    // Checkouts (all rails)
    CHECKOUT_EXPIRY_MINUTES: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(60),
    MONITORING_HOURS: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .default(24),
    WATCH_AFTER_CLOSE_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
    PAYMENT_TOLERANCE_PERCENT: decimal.default("0").refine((v) => Number(v) <= 50, "must be between 0 and 50"),
    CHECKOUT_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),

    // Rates
    RATE_SOURCE: z.enum(["coinbase", "kraken", "coingecko", "fixed"]).optional(),
    RATE_API_URL: optional.pipe(z.url({ message: "must be an absolute URL" }).optional()),
    RATE_SPREAD_PERCENT: decimal.default("0").refine((v) => Number(v) <= 50, "must be between 0 and 50"),
    BTC_FIXED_RATE: optional.pipe(decimal.optional()),

    // Bitcoin rail
    BTC_NETWORK: z.enum(["mainnet", "testnet", "signet", "regtest"]).optional(),
    BTC_ADDRESS_SOURCE: z.enum(["xpub", "hot", "electrum"]).default("xpub"),
    BTC_XPUB: optional,
    BTC_HOT_SEED: optional,
    BTC_FORWARD_ADDRESS: optional,
    BTC_CONFIRMATIONS: z.coerce.number().int().min(1).max(100).default(3),
    // Who reads the chain: an Esplora HTTP API (ESPLORA_API_URL or the simulator), the Electrum
    // daemon, or an Electrum server (electrs, Fulcrum, ElectrumX) at ELECTRUM_SERVER_URL.
    BTC_CHAIN_BACKEND: optional.pipe(
      z.enum(["esplora", "electrum", "electrum-server"], { message: "must be esplora, electrum or electrum-server" }).default("esplora"),
    ),
    ELECTRUM_SERVER_URL: optional.pipe(
      z
        .string()
        .regex(/^(tcp|ssl|tls):\/\/[^\s/]+:\d+\/?$/, "must be tcp://host:port or ssl://host:port, such as ssl://electrum.example.com:50002")
        .optional(),
    ),
    ESPLORA_API_URL: optional.pipe(z.url({ message: "must be an absolute URL such as https://blockstream.info/api" }).optional()),
    ELECTRUM_RPC_URL: optional.pipe(z.url({ message: "must be an absolute URL such as http://127.0.0.1:7777" }).optional()),
    ELECTRUM_RPC_USER: optional,
    ELECTRUM_RPC_PASS: optional,
    // The wallet file the daemon should use (a path as `electrum -w` takes it) and its
    // password: loaded with load_wallet at start and named in every wallet command.
    ELECTRUM_WALLET: optional,
    ELECTRUM_WALLET_PASSWORD: optional,
    CHAIN_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    // Admin: a block explorer's transaction page, {txid} replaced (e.g. https://mempool.space/tx/{txid}).
    EXPLORER_TX_URL: optional.pipe(
      z
        .string()
        .regex(/^https?:\/\/\S*\{txid\}\S*$/, "must be an http(s) URL containing {txid}, such as https://mempool.space/tx/{txid}")
        .optional(),
    ),

    // Background work (Inngest or the in-process driver), webhooks and notifications
    INNGEST_DEV: optional,
    INNGEST_SIGNING_KEY: optional,
    INNGEST_EVENT_KEY: optional,
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    // The webhook inbox: how long rejected and finished rows are kept, and how many rejected
    // calls one source (and one provider's endpoint in all) may add per 10 minutes.
    WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    WEBHOOK_REJECTED_PER_SOURCE: z.coerce.number().int().min(1).max(100_000).default(60),
    WEBHOOK_REJECTED_CAP: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    // Outbound calls to URLs a buyer, host or provider hands us (wallet addresses, webhook
    // endpoints; lib/net/safe-fetch.ts): https to public addresses only, unless this is set
    // (development, tests: http and localhost allowed).
    ALLOW_LOCAL_URLS: boolish,
    // Hot-wallet sweeps (lib/rails/bitcoin/forward.ts): the fee estimate's confirmation target,
    // the most of the swept value a sweep may spend on fees (above it, funds wait for cheaper
    // blocks), how long credited funds wait for others to join one batch, the most inputs in
    // one transaction, and after how many blocks a stuck sweep is fee-bumped (0: only by hand).
    BTC_FORWARD_FEE_TARGET: z.coerce.number().int().min(1).max(1008).default(144),
    // Bitcoin refunds of money (lib/rails/bitcoin/refund-payout.ts): the confirmation target of
    // the fee a claim quotes and the payout pays. The buyer is waiting, so about an hour.
    BTC_REFUND_FEE_TARGET: z.coerce.number().int().min(1).max(1008).default(6),
    BTC_FORWARD_MAX_FEE_PERCENT: decimal.default("5").refine((v) => Number(v) > 0 && Number(v) <= 100, "must be more than 0 and at most 100"),
    BTC_FORWARD_BATCH_WINDOW_MINUTES: z.coerce.number().int().min(0).max(10_080).default(0),
    BTC_FORWARD_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(100),
    BTC_FORWARD_BUMP_AFTER_BLOCKS: z.coerce.number().int().min(0).max(1008).default(12),
    // The reconciliation report (lib/admin/reconciliation.ts): the default period (days back),
    // the most chain requests one report may make (every handed-out address is asked once), and
    // how often the scheduled run checks and emails ADMIN_EMAILS about new differences (0: never).
    RECONCILIATION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    RECONCILIATION_CHAIN_CALLS: z.coerce.number().int().min(1).max(1_000_000).default(2000),
    RECONCILIATION_INTERVAL_HOURS: z.coerce.number().int().min(0).max(720).default(24),
    ELECTRUM_NOTIFY_TOKEN: optional.pipe(z.string().min(24, "must be at least 24 random characters (openssl rand -hex 16)").optional()),
    OMNISEND_API_KEY: optional,
    OMNISEND_API_URL: optional.pipe(z.url({ message: "must be an absolute URL such as https://api.omnisend.com" }).optional()),
    // The "credits purchased" event's name and properties (lib/omnisend-mapping.ts), and the
    // sign-up event (unset: none is sent).
    OMNISEND_PURCHASE_EVENT: optional.pipe(z.string().max(100, "must be at most 100 characters").default("credits purchased")),
    OMNISEND_PURCHASE_PROPERTIES: optional.transform((v, ctx): PropertyMapping | undefined => {
      if (v === undefined) return undefined;
      try {
        return parsePropertyMapping(v);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
    // GET /api/metrics answers only with "Authorization: Bearer <METRICS_TOKEN>"; unset: 404.
    METRICS_TOKEN: optional.pipe(z.string().min(24, "must be at least 24 random characters (openssl rand -hex 16)").optional()),
    OMNISEND_WELCOME_EVENT: optional.pipe(z.string().max(100, "must be at most 100 characters").optional()),
  })
  .superRefine((e, ctx) => {
    if (e.DATABASE_URL && !e.AUTH_SECRET)
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: "is required when DATABASE_URL is set (openssl rand -base64 32)" });
    if (e.VERCEL && !e.DATABASE_URL)
      ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "is required on Vercel: the embedded database needs a long-lived server" });
    if (Boolean(e.AUTH_GITHUB_ID) !== Boolean(e.AUTH_GITHUB_SECRET))
      ctx.addIssue({
        code: "custom",
        path: [e.AUTH_GITHUB_ID ? "AUTH_GITHUB_SECRET" : "AUTH_GITHUB_ID"],
        message: "GitHub sign-in needs both AUTH_GITHUB_ID and AUTH_GITHUB_SECRET",
      });
    if (e.VERCEL && e.BTC_NETWORK === "regtest")
      ctx.addIssue({ code: "custom", path: ["BTC_NETWORK"], message: "regtest (the local chain simulator) cannot run on Vercel" });
    if (e.BTC_ADDRESS_SOURCE === "hot" && !e.BTC_HOT_SEED)
      ctx.addIssue({ code: "custom", path: ["BTC_HOT_SEED"], message: "is required when BTC_ADDRESS_SOURCE=hot" });
    if (e.BTC_ADDRESS_SOURCE === "hot" && !e.BTC_FORWARD_ADDRESS)
      ctx.addIssue({ code: "custom", path: ["BTC_FORWARD_ADDRESS"], message: "is required when BTC_ADDRESS_SOURCE=hot (where funds are swept)" });
    if (e.BTC_ADDRESS_SOURCE === "electrum" && !e.ELECTRUM_RPC_URL)
      ctx.addIssue({ code: "custom", path: ["ELECTRUM_RPC_URL"], message: "is required when BTC_ADDRESS_SOURCE=electrum" });
    if (e.BTC_CHAIN_BACKEND === "electrum")
      for (const name of ["ELECTRUM_RPC_URL", "ELECTRUM_RPC_USER", "ELECTRUM_RPC_PASS"] as const) {
        if (e[name] || (name === "ELECTRUM_RPC_URL" && e.BTC_ADDRESS_SOURCE === "electrum")) continue; // missing URL: reported once, above
        ctx.addIssue({ code: "custom", path: [name], message: "is required when BTC_CHAIN_BACKEND=electrum" });
      }
    if (e.BTC_CHAIN_BACKEND === "electrum-server" && !e.ELECTRUM_SERVER_URL)
      ctx.addIssue({ code: "custom", path: ["ELECTRUM_SERVER_URL"], message: "is required when BTC_CHAIN_BACKEND=electrum-server" });
    if (e.RATE_SOURCE === "fixed" && !e.BTC_FIXED_RATE && e.DATABASE_URL)
      ctx.addIssue({ code: "custom", path: ["BTC_FIXED_RATE"], message: "is required when RATE_SOURCE=fixed" });
    // Vercel has no long-lived process for the in-process driver: background work needs Inngest.
    if (e.VERCEL && !e.INNGEST_SIGNING_KEY)
      ctx.addIssue({
        code: "custom",
        path: ["INNGEST_SIGNING_KEY"],
        message: "is required on Vercel: background work (crediting, expiry, forwarding) runs on Inngest there",
      });
    if (e.VERCEL && !e.INNGEST_EVENT_KEY)
      ctx.addIssue({ code: "custom", path: ["INNGEST_EVENT_KEY"], message: "is required on Vercel: Satchel sends its checkout events to Inngest" });
    if (e.VERCEL && !e.APP_URL && !e.VERCEL_PROJECT_PRODUCTION_URL)
      ctx.addIssue({
        code: "custom",
        path: ["APP_URL"],
        message: "is required on Vercel: the public address of this deployment, for links and provider callbacks (https://pay.example.com)",
      });
    if (e.SMTP_URL && !e.EMAIL_FROM) ctx.addIssue({ code: "custom", path: ["EMAIL_FROM"], message: "is required when SMTP_URL is set" });
  });

export type Env = Omit<z.infer<typeof schema>, "APP_URL"> & {
  /** True when DATABASE_URL is unset and Satchel runs on its embedded PGlite database. */
  embedded: boolean;
  AUTH_SECRET: string;
  /** The public base URL for links (receipts, emails, redirects). Never a silent localhost on Vercel. */
  APP_URL: string;
  /**
   * Where providers call back (M-Pesa, Interledger, NEO Bank, Electrum notify), or null when
   * only a guess exists: on a Vercel preview without APP_URL the production domain is right for
   * links but would send a preview's callbacks to production.
   */
  callbackUrl: string | null;
};

export interface ConfigIssue {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: ConfigIssue[] = [],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses a set of variables; throws a ConfigError that names every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ variable: i.path.join(".") || "(env)", message: i.message }));
    const lines = issues.map((i) => `  ${i.variable}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every setting.`, issues);
  }
  const e = result.data;
  const embedded = !e.DATABASE_URL;
  const production = e.VERCEL_PROJECT_PRODUCTION_URL ? `https://${e.VERCEL_PROJECT_PRODUCTION_URL.replace(/^https?:\/\//, "")}` : undefined;
  const APP_URL = e.APP_URL ?? (e.VERCEL ? production! : `http://localhost:${e.PORT || 3000}`);
  const callbackUrl = e.APP_URL || !e.VERCEL || e.VERCEL_ENV === "production" ? APP_URL : null;
  return { ...e, embedded, APP_URL, callbackUrl, AUTH_SECRET: e.AUTH_SECRET ?? embeddedAuthSecret(e.SATCHEL_DATA_DIR) };
}

/** The base URL providers call back on; a ConfigError naming APP_URL when only a guess exists. */
export function callbackBase(e: Env = env()): string {
  if (e.callbackUrl) return e.callbackUrl;
  throw new ConfigError(
    "Invalid configuration:\n  APP_URL: is required on this Vercel deployment for provider callbacks (the production domain is used for links only)",
    [{ variable: "APP_URL", message: "is required on this Vercel deployment for provider callbacks" }],
  );
}

/** What keeps this configuration from serving at all (every bad variable), or null. Never throws. */
export function configurationProblem(): ConfigError | null {
  try {
    env();
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}

// The embedded default has no operator to set AUTH_SECRET, so it keeps a random one in the
// (git-ignored) data folder: sessions survive restarts and nothing secret lives in the repo.
function embeddedAuthSecret(dataDir: string): string {
  const file = path.resolve(dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

let cached: Env | undefined;

/** Inngest runs background work when a dev server or a signing key is configured; otherwise the in-process driver does. */
export function inngestConfigured(e: Pick<Env, "INNGEST_DEV" | "INNGEST_SIGNING_KEY"> = env()): boolean {
  return Boolean(e.INNGEST_DEV || e.INNGEST_SIGNING_KEY);
}

/** The validated configuration of this process. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change process.env between cases; this forgets the parsed copy. */
export function resetEnvForTests(): void {
  cached = undefined;
}
