import pino from "pino";
import { env } from "@/lib/env";

// Structured logs. Secret-bearing fields are redacted wherever they appear, so a stray
// `log.info({ headers })` never prints a credential.
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { app: "satchel" },
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
});

/** Validates the configuration early (used at server start). */
export function logConfigSummary(): void {
  const e = env();
  log.info({ database: e.embedded ? "embedded (PGlite)" : "postgres", appUrl: e.APP_URL }, "configuration loaded");
}
