import pino from "pino";
import { env } from "@/lib/env";

// Structured logs. Secret-bearing fields are redacted wherever they appear, so a stray
// `log.info({ headers })` never prints a credential; and every line is scrubbed before it is
// written: the values of secret settings (MPESA_CALLBACK_TOKEN and ELECTRUM_NOTIFY_TOKEN are
// path segments, so they reach logs inside URLs and error messages) and whatever follows
// /api/webhooks/<provider>/ in a path.

/** Settings whose values must never appear in a log line. */
const SECRET_SETTINGS = [
  "MPESA_CALLBACK_TOKEN",
  "ELECTRUM_NOTIFY_TOKEN",
  "AUTH_SECRET",
  "AUTH_GITHUB_SECRET",
  "MPESA_CONSUMER_SECRET",
  "MPESA_PASSKEY",
  "NEOBANK_API_KEY",
  "NEOBANK_WEBHOOK_SECRET",
  "OPEN_PAYMENTS_WEBHOOK_SECRET",
  "INNGEST_SIGNING_KEY",
  "INNGEST_EVENT_KEY",
  "OMNISEND_API_KEY",
  "METRICS_TOKEN",
  "ELECTRUM_RPC_PASS",
  "ELECTRUM_WALLET_PASSWORD",
] as const;

function secretValues(): string[] {
  const out = new Set<string>();
  for (const name of SECRET_SETTINGS) {
    const v = process.env[name];
    if (v && v.length >= 8) out.add(v);
  }
  return [...out];
}

/** The path with every segment after /api/webhooks/<provider>/ replaced (they are secret tokens). */
export function redactPath(path: string): string {
  return path.replace(/(\/api\/webhooks\/[^/?#\s"]+)\/[^?#\s"]+/g, "$1/[redacted]");
}

/** One written log line with every secret value and webhook path token removed. */
export function scrubLine(line: string): string {
  let out = redactPath(line);
  for (const secret of secretValues()) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) out = out.replaceAll(form, "[redacted]");
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { app: "satchel" },
      hooks: { streamWrite: scrubLine },
      redact: {
        paths: [
          "password",
          "*.password",
          "passwordHash",
          "*.passwordHash",
          "secret",
          "*.secret",
          "token",
          "*.token",
          "headers.authorization",
          "headers.cookie",
          "*.headers.authorization",
          "*.headers.cookie",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

export const log = createLogger(process.env.LOG_LEVEL ?? "info");

/** Validates the configuration early (used at server start). */
export function logConfigSummary(): void {
  const e = env();
  log.info({ database: e.embedded ? "embedded (PGlite)" : "postgres", appUrl: e.APP_URL }, "configuration loaded");
}
