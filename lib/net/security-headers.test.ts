import { describe, expect, test } from "vitest";
import nextConfig from "@/next.config";
import { securityHeaders } from "./security-headers";

// The headers every response carries (issue 11 item 14): a page that may be framed by another
// one is a clickjacking target (/admin/users was framed by a same-site page).

const byKey = (list: { key: string; value: string }[]) => Object.fromEntries(list.map((h) => [h.key.toLowerCase(), h.value]));

describe("security headers", () => {
  test("no framing, no sniffing, no full referrers; HSTS only in production", () => {
    const dev = byKey(securityHeaders(false));
    expect(dev["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(dev["x-frame-options"]).toBe("DENY");
    expect(dev["x-content-type-options"]).toBe("nosniff");
    expect(dev["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(dev["strict-transport-security"]).toBeUndefined();
    expect(byKey(securityHeaders(true))["strict-transport-security"]).toMatch(/max-age=\d{8}/);
  });

  test("next.config.ts sends them on every path", async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const all = rules.find((r) => r.source === "/:path*");
    expect(all).toBeDefined();
    expect(byKey(all!.headers)["x-frame-options"]).toBe("DENY");
    expect(byKey(all!.headers)["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
  });
});
