import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, resetEnvForTests } from "@/lib/env";
import { ipAllowed, parseMpesaSettings } from "./config";

// The M-Pesa settings: modes, defaults, and a ConfigError that names the variable to fix.

const live = {
  MPESA_CONSUMER_KEY: "key",
  MPESA_CONSUMER_SECRET: "secret",
  MPESA_SHORTCODE: "600999",
  MPESA_PASSKEY: "passkey",
  MPESA_CALLBACK_TOKEN: "0123456789abcdef0123456789abcdef",
};

afterEach(() => {
  delete process.env.SANDBOX_RAILS;
  resetEnvForTests();
});

const sandboxRails = (v: string) => {
  process.env.SANDBOX_RAILS = v;
  resetEnvForTests();
};

describe("parseMpesaSettings", () => {
  it("live with credentials: Daraja sandbox by default, callback under APP_URL, a fixed KES rate by default", () => {
    const s = parseMpesaSettings(live);
    expect(s).toMatchObject({
      mode: "live",
      environment: "sandbox",
      baseUrl: "https://sandbox.safaricom.co.ke",
      shortcode: "600999",
      partyB: "600999",
      testMoney: true,
      queryAfterSeconds: 60,
      fxFixedRates: "USD:KES=129.50",
    });
    expect(s.callbackUrl).toBe("http://localhost:3000/api/webhooks/mpesa/0123456789abcdef0123456789abcdef");
  });

  it("production: the production API, real money, no FX default, https callbacks only", () => {
    const s = parseMpesaSettings({ ...live, MPESA_ENV: "production", MPESA_CALLBACK_BASE_URL: "https://pay.example.com/", FX_FIXED_RATES: "USD:KES=130" });
    expect(s).toMatchObject({ baseUrl: "https://api.safaricom.co.ke", testMoney: false, fxFixedRates: "USD:KES=130" });
    expect(s.callbackUrl).toBe("https://pay.example.com/api/webhooks/mpesa/0123456789abcdef0123456789abcdef");
    expect(() => parseMpesaSettings({ ...live, MPESA_ENV: "production", MPESA_CALLBACK_BASE_URL: "http://pay.example.com" })).toThrow(
      /MPESA_CALLBACK_BASE_URL: must be an https/,
    );
  });

  it.each([
    [{ ...live, MPESA_SHORTCODE: undefined }, /MPESA_SHORTCODE: is required/],
    [{ ...live, MPESA_PASSKEY: "" }, /MPESA_PASSKEY: is required/],
    [{ ...live, MPESA_CONSUMER_SECRET: undefined }, /MPESA_CONSUMER_SECRET: is required/],
    [{ ...live, MPESA_CALLBACK_TOKEN: undefined }, /MPESA_CALLBACK_TOKEN: is required/],
    [{ ...live, MPESA_CALLBACK_TOKEN: "short" }, /MPESA_CALLBACK_TOKEN: must be at least 24/],
    [{ ...live, MPESA_ENV: "live" }, /MPESA_ENV: must be sandbox or production/],
    [{ ...live, MPESA_TRANSACTION_TYPE: "PayBill" }, /MPESA_TRANSACTION_TYPE: must be CustomerPayBillOnline or CustomerBuyGoodsOnline/],
    [{ ...live, MPESA_TRANSACTION_TYPE: "CustomerBuyGoodsOnline" }, /MPESA_PARTY_B: is required with MPESA_TRANSACTION_TYPE=CustomerBuyGoodsOnline/],
    [{ ...live, MPESA_SHORTCODE: "12" }, /MPESA_SHORTCODE: must be the 5 to 7 digit/],
    [{ ...live, MPESA_QUERY_AFTER_SECONDS: "1" }, /MPESA_QUERY_AFTER_SECONDS: must be at least 5/],
    [{ ...live, MPESA_QUERY_AFTER_SECONDS: "soon" }, /MPESA_QUERY_AFTER_SECONDS: must be a whole number/],
    [{ ...live, MPESA_API_BASE_URL: "nope" }, /MPESA_API_BASE_URL: must be an absolute URL/],
    [{ ...live, MPESA_ALLOWED_IPS: "196.201.214.200,not-an-ip" }, /MPESA_ALLOWED_IPS: "not-an-ip" is not an IP/],
    [{ ...live, FX_FIXED_RATES: "USD-KES" }, /FX_FIXED_RATES: .*FROM:TO=rate/],
  ])("names the variable: %#", (vars, message) => {
    const err = (() => {
      try {
        parseMpesaSettings(vars as Record<string, string | undefined>);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });

  it("no credentials: the local fake where sandboxes are allowed, otherwise off", () => {
    sandboxRails("1");
    const local = parseMpesaSettings({});
    expect(local).toMatchObject({ mode: "local", baseUrl: null, shortcode: "174379", testMoney: true, fxFixedRates: "USD:KES=129.50" });
    expect(local.callbackToken.length).toBeGreaterThanOrEqual(24);
    expect(parseMpesaSettings({ MPESA_ENV: "production" }).mode).toBe("off");
    sandboxRails("0");
    expect(parseMpesaSettings({}).mode).toBe("off");
  });
});

describe("ipAllowed", () => {
  const list = ["196.201.214.200", "196.201.213.0/24", "2001:db8::1"];
  it.each([
    ["196.201.214.200", true],
    ["::ffff:196.201.214.200", true],
    ["196.201.213.7", true],
    ["196.201.212.7", false],
    ["2001:db8::1", true],
    ["10.0.0.1", false],
  ])("%s → %s", (ip, ok) => {
    expect(ipAllowed(ip, list)).toBe(ok);
  });
});
