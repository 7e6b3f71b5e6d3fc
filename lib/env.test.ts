import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError, callbackBase, parseEnv } from "./env";

// parseEnv is pure apart from the embedded default's secret file, which goes to a temp dir.

const dataDir = mkdtempSync(path.join(tmpdir(), "satchel-env-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const PG = "postgresql://satchel@localhost:5432/satchel";
const SECRET = "x".repeat(32);

function configError(source: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv({ SATCHEL_DATA_DIR: dataDir, ...source });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(source)}`);
}

describe("parseEnv", () => {
  test("embedded default: no variables at all is a valid configuration", () => {
    const e = parseEnv({ SATCHEL_DATA_DIR: dataDir });
    expect(e.embedded).toBe(true);
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.ADMIN_EMAILS).toEqual([]);
    expect(e.APP_URL).toBe("http://localhost:3000");
    // It invents an AUTH_SECRET, keeps it private in the data folder, and reuses it.
    expect(e.AUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, "auth-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(e.AUTH_SECRET);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(parseEnv({ SATCHEL_DATA_DIR: dataDir }).AUTH_SECRET).toBe(e.AUTH_SECRET);
  });

  test("PostgreSQL with an AUTH_SECRET", () => {
    const e = parseEnv({ DATABASE_URL: PG, AUTH_SECRET: SECRET, ADMIN_EMAILS: " Boss@Example.com, ops@example.com ", SATCHEL_DATA_DIR: dataDir });
    expect(e.embedded).toBe(false);
    expect(e.AUTH_SECRET).toBe(SECRET);
    expect(e.ADMIN_EMAILS).toEqual(["boss@example.com", "ops@example.com"]);
  });

  test("empty strings count as unset", () => {
    const e = parseEnv({ DATABASE_URL: "", AUTH_SECRET: "", AUTH_GITHUB_ID: "", AUTH_GITHUB_SECRET: " ", SATCHEL_DATA_DIR: dataDir });
    expect(e.embedded).toBe(true);
    expect(e.AUTH_GITHUB_ID).toBeUndefined();
  });

  test("DATABASE_URL without AUTH_SECRET names AUTH_SECRET", () => {
    const err = configError({ DATABASE_URL: PG });
    expect(err.message).toMatch(/AUTH_SECRET: is required when DATABASE_URL is set/);
    expect(err.message).not.toMatch(/DATABASE_URL:/);
  });

  test("a short AUTH_SECRET names AUTH_SECRET", () => {
    expect(configError({ DATABASE_URL: PG, AUTH_SECRET: "short" }).message).toMatch(/AUTH_SECRET: must be at least 32 characters/);
  });

  test("a DATABASE_URL that is not postgres names DATABASE_URL", () => {
    expect(configError({ DATABASE_URL: "mysql://localhost/db", AUTH_SECRET: SECRET }).message).toMatch(/DATABASE_URL: must be a postgres/);
  });

  test("a bad ADMIN_EMAILS entry names ADMIN_EMAILS", () => {
    expect(configError({ ADMIN_EMAILS: "boss@example.com, not-an-email" }).message).toMatch(
      /ADMIN_EMAILS\.1: must be a comma-separated list of email addresses/,
    );
  });

  test.each([
    [{ AUTH_GITHUB_ID: "abc" }, "AUTH_GITHUB_SECRET"],
    [{ AUTH_GITHUB_SECRET: "abc" }, "AUTH_GITHUB_ID"],
  ])("half a GitHub configuration names the missing half (%o)", (vars, missing) => {
    expect(configError(vars).message).toMatch(new RegExp(`${missing}: GitHub sign-in needs both`));
  });

  test("VERCEL=1 without DATABASE_URL names DATABASE_URL", () => {
    expect(configError({ VERCEL: "1" }).message).toMatch(/DATABASE_URL: is required on Vercel/);
    expect(
      parseEnv({
        VERCEL: "1",
        DATABASE_URL: PG,
        AUTH_SECRET: SECRET,
        INNGEST_SIGNING_KEY: "signkey-prod-123",
        INNGEST_EVENT_KEY: "evt-key",
        APP_URL: "https://pay.example.com",
      }).embedded,
    ).toBe(false);
  });

  test("VERCEL=1 without Inngest keys names both (no long-lived process for the in-process driver)", () => {
    const msg = configError({ VERCEL: "1", DATABASE_URL: PG, AUTH_SECRET: SECRET }).message;
    expect(msg).toMatch(/INNGEST_SIGNING_KEY: is required on Vercel/);
    expect(msg).toMatch(/INNGEST_EVENT_KEY: is required on Vercel/);
  });

  const vercel = { VERCEL: "1", DATABASE_URL: PG, AUTH_SECRET: SECRET, INNGEST_SIGNING_KEY: "signkey-prod-123", INNGEST_EVENT_KEY: "evt-key" };

  test("on Vercel APP_URL is never a silent localhost: unset with no production domain, it is required", () => {
    const err = configError(vercel);
    expect(err.message).toMatch(/APP_URL: is required on Vercel/);
    expect(err.issues.map((i) => i.variable)).toEqual(["APP_URL"]);
  });

  test("on Vercel without APP_URL, links use the production domain; callbacks only in production", () => {
    const preview = parseEnv({ ...vercel, VERCEL_ENV: "preview", VERCEL_PROJECT_PRODUCTION_URL: "pay.example.com" });
    expect(preview.APP_URL).toBe("https://pay.example.com");
    expect(preview.callbackUrl).toBeNull();
    expect(() => callbackBase(preview)).toThrow(/APP_URL: is required on this Vercel deployment for provider callbacks/);
    const production = parseEnv({ ...vercel, VERCEL_ENV: "production", VERCEL_PROJECT_PRODUCTION_URL: "pay.example.com" });
    expect(callbackBase(production)).toBe("https://pay.example.com");
    const explicit = parseEnv({ ...vercel, VERCEL_ENV: "preview", VERCEL_PROJECT_PRODUCTION_URL: "pay.example.com", APP_URL: "https://preview.example.com" });
    expect(explicit.APP_URL).toBe("https://preview.example.com");
    expect(callbackBase(explicit)).toBe("https://preview.example.com");
  });

  test("off Vercel APP_URL defaults to where next start listens", () => {
    expect(parseEnv({ SATCHEL_DATA_DIR: dataDir, PORT: "4100" }).APP_URL).toBe("http://localhost:4100");
  });

  test("every bad variable is reported at once", () => {
    const msg = configError({ DATABASE_URL: PG, APP_URL: "not a url", SMTP_URL: "smtp://mail.local" }).message;
    expect(msg).toMatch(/AUTH_SECRET:/);
    expect(msg).toMatch(/APP_URL: must be an absolute URL/);
    expect(msg).toMatch(/EMAIL_FROM: is required when SMTP_URL is set/);
  });

  test("hot-wallet sweep settings: cheap defaults, and a fee share outside (0, 100] is named", () => {
    const e = parseEnv({ SATCHEL_DATA_DIR: dataDir });
    expect(e).toMatchObject({ BTC_FORWARD_FEE_TARGET: 144, BTC_FORWARD_MAX_FEE_PERCENT: "5", BTC_FORWARD_BATCH_WINDOW_MINUTES: 0, BTC_FORWARD_BATCH_MAX: 100 });
    expect(parseEnv({ SATCHEL_DATA_DIR: dataDir, BTC_FORWARD_MAX_FEE_PERCENT: "2.5" }).BTC_FORWARD_MAX_FEE_PERCENT).toBe("2.5");
    expect(configError({ BTC_FORWARD_MAX_FEE_PERCENT: "0" }).message).toMatch(/BTC_FORWARD_MAX_FEE_PERCENT: must be more than 0 and at most 100/);
    expect(configError({ BTC_FORWARD_MAX_FEE_PERCENT: "150" }).message).toMatch(/BTC_FORWARD_MAX_FEE_PERCENT: must be more than 0 and at most 100/);
    expect(configError({ BTC_FORWARD_MAX_FEE_PERCENT: "5%" }).message).toMatch(/BTC_FORWARD_MAX_FEE_PERCENT: must be a non-negative decimal/);
    expect(configError({ BTC_FORWARD_BATCH_MAX: "0" }).message).toMatch(/BTC_FORWARD_BATCH_MAX/);
  });

  test("secrets never appear in the error message", () => {
    const msg = configError({ DATABASE_URL: "mysql://u:hunter2-secret@db/x", AUTH_SECRET: "tiny-secret-value" }).message;
    expect(msg).not.toContain("hunter2-secret");
    expect(msg).not.toContain("tiny-secret-value");
  });
});
