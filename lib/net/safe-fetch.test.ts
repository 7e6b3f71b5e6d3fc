import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvForTests } from "@/lib/env";
import { assertPublicUrl, isPublicAddress, type Resolver, SafeFetchError, safeFetch } from "./safe-fetch";

// A local server stands in for the database port and internal services an attacker would aim
// at: every refused URL must leave its connection count at zero.
let server: Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname.startsWith("/hop/")) {
      const n = Number(u.pathname.slice(5));
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : "/done" }).end();
    } else if (u.pathname === "/to-file") res.writeHead(302, { location: "file:///etc/passwd" }).end();
    else if (u.pathname === "/big") res.end("x".repeat(5000));
    else if (u.pathname === "/slow") setTimeout(() => res.end("late"), 2000);
    else if (u.pathname === "/echo") {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => res.end(JSON.stringify({ method: req.method, body: b, auth: req.headers.authorization ?? null })));
    } else res.end("hello");
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
const before = process.env.ALLOW_LOCAL_URLS;
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  if (before === undefined) delete process.env.ALLOW_LOCAL_URLS;
  else process.env.ALLOW_LOCAL_URLS = before;
  resetEnvForTests();
});
beforeEach(() => {
  connections = 0;
  delete process.env.ALLOW_LOCAL_URLS;
  resetEnvForTests();
});

async function refused(url: string, opts: Parameters<typeof safeFetch>[1] = {}): Promise<SafeFetchError> {
  const err = await safeFetch(url, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, url).toBeInstanceOf(SafeFetchError);
  return err as SafeFetchError;
}

describe("safeFetch without local URLs (production)", () => {
  it.each([
    `https://127.0.0.1:PORT/alice`,
    `https://localhost:PORT/alice`,
    `https://2130706433:PORT/`, // decimal
    `https://0x7f000001:PORT/`, // hex
    `https://0177.0.0.1:PORT/`, // octal
    `https://127.1:PORT/`, // short form
    `https://[::1]:PORT/`,
    `https://[::ffff:127.0.0.1]:PORT/`, // IPv4-mapped IPv6
    `https://[::ffff:7f00:1]:PORT/`,
    `https://0.0.0.0:PORT/`,
    `https://10.0.0.1/`,
    `https://172.16.5.4/`,
    `https://192.168.1.1/`,
    `https://169.254.169.254/latest/meta-data/`, // cloud metadata
    `https://100.64.0.1/`,
    `https://224.0.0.1/`,
    `https://[fc00::1]/`,
    `https://[fe80::1]/`,
    `https://[64:ff9b::7f00:1]/`, // NAT64 of 127.0.0.1
    `https://[2002:7f00:1::]/`, // 6to4 of 127.0.0.1
  ])("refuses %s without connecting", async (template) => {
    const url = template.replace("PORT", String(port));
    const err = await refused(url);
    expect(err.blocked).toBe(true);
    expect(err.reason).toBe("not_public");
    expect(connections).toBe(0);
  });

  it("refuses http, other schemes and credentials", async () => {
    expect((await refused("http://example.com/")).reason).toBe("scheme");
    expect((await refused("ftp://example.com/")).reason).toBe("invalid_url");
    expect((await refused("https://user:pw@example.com/")).reason).toBe("credentials");
    expect((await refused("not a url")).reason).toBe("invalid_url");
  });

  it("refuses a name that resolves to any non-public address, checked at connect (no DNS rebinding)", async () => {
    // First answer public, then loopback: a check-then-fetch guard would pass the first and
    // connect to the second. The socket's own lookup is the check, so nothing connects.
    let calls = 0;
    const rebinding: Resolver = (_h, cb) => cb(null, [{ address: calls++ === 0 ? "93.184.215.14" : "127.0.0.1", family: 4 }]);
    await assertPublicUrl(`https://wallet.example:${port}/`, { resolve: rebinding });
    const err = await refused(`https://wallet.example:${port}/alice`, { resolve: rebinding });
    expect(err.reason).toBe("not_public");
    expect(connections).toBe(0);

    const mixed: Resolver = (_h, cb) =>
      cb(null, [
        { address: "93.184.215.14", family: 4 },
        { address: "10.1.2.3", family: 4 },
      ]);
    expect((await refused(`https://wallet.example/`, { resolve: mixed })).reason).toBe("not_public");
    await expect(assertPublicUrl("https://wallet.example/", { resolve: mixed })).rejects.toMatchObject({ reason: "not_public" });
    await expect(assertPublicUrl(`https://localhost:${port}/`)).rejects.toMatchObject({ reason: "not_public" });
    await expect(assertPublicUrl("https://no-such-host.invalid/")).rejects.toMatchObject({ reason: "unresolvable" });
  });

  it("knows public from non-public addresses", () => {
    for (const a of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"]) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ["127.0.0.1", "::1", "::ffff:10.0.0.1", "192.0.2.1", "2001:db8::1", "255.255.255.255", "fec0::1", "nonsense"])
      expect(isPublicAddress(a), a).toBe(false);
  });
});

describe("safeFetch with local URLs allowed (sandbox, ALLOW_LOCAL_URLS)", () => {
  it("fetches, and ALLOW_LOCAL_URLS=1 is the operator's switch", async () => {
    process.env.ALLOW_LOCAL_URLS = "1";
    resetEnvForTests();
    const res = await safeFetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello");
  });

  it("follows up to 3 redirects, each hop checked; a 4th is refused", async () => {
    const ok = await safeFetch(`http://127.0.0.1:${port}/hop/2`, { allowLocal: true });
    expect(await ok.text()).toBe("hello");
    expect((await refused(`http://127.0.0.1:${port}/hop/3`, { allowLocal: true })).reason).toBe("redirects");
    expect((await refused(`http://127.0.0.1:${port}/to-file`, { allowLocal: true })).reason).toBe("invalid_url");
    const manual = await safeFetch(`http://127.0.0.1:${port}/hop/0`, { allowLocal: true, redirect: "manual" });
    expect(manual.status).toBe(302);
  });

  it("bounds the answer's size and time", async () => {
    expect((await refused(`http://127.0.0.1:${port}/big`, { allowLocal: true, maxBytes: 1000 })).reason).toBe("too_large");
    const t = Date.now();
    expect((await refused(`http://127.0.0.1:${port}/slow`, { allowLocal: true, timeoutMs: 300 })).reason).toBe("timeout");
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it("sends method, body and headers", async () => {
    const res = await safeFetch(`http://127.0.0.1:${port}/echo`, { allowLocal: true, method: "POST", body: "hi", headers: { authorization: "Bearer t" } });
    expect(await res.json()).toEqual({ method: "POST", body: "hi", auth: "Bearer t" });
  });
});
