import { describe, expect, test } from "vitest";
import { clientIp } from "./client-ip";

const h = (init: Record<string, string>) => new Headers(init);
const direct = { VERCEL: false, TRUSTED_PROXY_HOPS: 0 };

describe("clientIp", () => {
  test("with no trusted proxy, a client-supplied X-Forwarded-For is ignored", () => {
    expect(clientIp(h({ "x-forwarded-for": "196.201.214.200" }), direct)).toBeNull();
    expect(clientIp(h({ "x-real-ip": "196.201.214.200" }), direct)).toBeNull();
  });

  test("one trusted proxy: the entry it appended (the last), not the forged first", () => {
    const e = { VERCEL: false, TRUSTED_PROXY_HOPS: 1 };
    expect(clientIp(h({ "x-forwarded-for": "196.201.214.200, 203.0.113.9" }), e)).toBe("203.0.113.9");
    expect(clientIp(h({ "x-forwarded-for": "203.0.113.9" }), e)).toBe("203.0.113.9");
  });

  test("two trusted proxies: the second entry from the right; too short a chain is unknown", () => {
    const e = { VERCEL: false, TRUSTED_PROXY_HOPS: 2 };
    expect(clientIp(h({ "x-forwarded-for": "1.1.1.1, 203.0.113.9, 10.0.0.2" }), e)).toBe("203.0.113.9");
    expect(clientIp(h({ "x-forwarded-for": "203.0.113.9" }), e)).toBeNull();
  });

  test("garbage is not an address; IPv4-mapped IPv6 is its IPv4", () => {
    const e = { VERCEL: false, TRUSTED_PROXY_HOPS: 1 };
    expect(clientIp(h({ "x-forwarded-for": "not-an-ip" }), e)).toBeNull();
    expect(clientIp(h({ "x-forwarded-for": "::ffff:203.0.113.9" }), e)).toBe("203.0.113.9");
    expect(clientIp(h({ "x-forwarded-for": "2001:db8::1" }), e)).toBe("2001:db8::1");
  });

  test("on Vercel: Vercel's own header, whatever X-Forwarded-For says", () => {
    const e = { VERCEL: true, TRUSTED_PROXY_HOPS: 0 };
    expect(clientIp(h({ "x-vercel-forwarded-for": "203.0.113.9", "x-forwarded-for": "196.201.214.200" }), e)).toBe("203.0.113.9");
    expect(clientIp(h({ "x-forwarded-for": "196.201.214.200" }), e)).toBeNull();
  });
});
