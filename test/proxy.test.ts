import { afterEach, describe, expect, test, vi } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { proxy } from "@/proxy";

// On Vercel a forgotten variable (DATABASE_URL, the Inngest keys, APP_URL) makes every request
// answer 503 with the variables to fix — not a 500, not a silent localhost link.

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvForTests();
});

function onVercel(vars: Record<string, string>) {
  for (const name of ["DATABASE_URL", "INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "INNGEST_DEV", "APP_URL", "VERCEL_PROJECT_PRODUCTION_URL"])
    vi.stubEnv(name, "");
  vi.stubEnv("VERCEL", "1");
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetEnvForTests();
}

describe("proxy", () => {
  test("Inngest keys set, DATABASE_URL forgotten: /api/health answers 503 naming DATABASE_URL", async () => {
    onVercel({ INNGEST_SIGNING_KEY: "signkey-prod-abc", INNGEST_EVENT_KEY: "evt", APP_URL: "https://pay.example.com" });
    const res = proxy(new Request("https://pay.example.com/api/health"));
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe("misconfigured");
    expect(body.problems.map((p: { variable: string }) => p.variable)).toEqual(["DATABASE_URL"]);
  });

  test("every page answers 503 with the message, naming each missing variable and no value", async () => {
    onVercel({ DATABASE_URL: "postgresql://u:s3cret-pw@db.example.com/satchel" });
    const res = proxy(new Request("https://pay.example.com/buy"));
    expect(res.status).toBe(503);
    const text = await res.text();
    for (const name of ["INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY", "APP_URL"]) expect(text).toContain(name);
    expect(text).not.toContain("s3cret-pw");
  });

  test("a complete configuration passes through", () => {
    onVercel({
      DATABASE_URL: "postgresql://u@db.example.com/satchel",
      INNGEST_SIGNING_KEY: "signkey-prod-abc",
      INNGEST_EVENT_KEY: "evt",
      VERCEL_PROJECT_PRODUCTION_URL: "pay.example.com",
    });
    const res = proxy(new Request("https://pay.example.com/buy"));
    expect(res.headers.get("x-middleware-next")).toBe("1");
  });

  test("trailing slashes redirect as Next would, except the NEO Bank gateway's /webhooks/neo-payment/", () => {
    onVercel({
      DATABASE_URL: "postgresql://u@db.example.com/satchel",
      INNGEST_SIGNING_KEY: "signkey-prod-abc",
      INNGEST_EVENT_KEY: "evt",
      VERCEL_PROJECT_PRODUCTION_URL: "pay.example.com",
    });
    const res = proxy(new Request("https://pay.example.com/buy/?rail=neobank"));
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("https://pay.example.com/buy?rail=neobank");
    const hook = proxy(new Request("https://pay.example.com/webhooks/neo-payment/", { method: "POST", body: "{}" }));
    expect(hook.headers.get("x-middleware-next")).toBe("1");
    expect(proxy(new Request("https://pay.example.com/")).headers.get("x-middleware-next")).toBe("1");
  });

  test("every page gets a script policy with a fresh nonce, handed to Next in the request's CSP header; API answers do not", () => {
    vi.stubEnv("VERCEL", "");
    resetEnvForTests();
    const policies = [0, 1].map(() => {
      const res = proxy(new Request("http://localhost/admin/users"));
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      // NextResponse.next({ request }) forwards overridden request headers this way; Next reads
      // the nonce from the request's Content-Security-Policy.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      return csp;
    });
    expect(policies[0]).not.toBe(policies[1]);
    expect(proxy(new Request("http://localhost/api/health")).headers.get("content-security-policy")).toBeNull();
  });
});
