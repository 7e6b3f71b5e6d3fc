import * as nodeCrypto from "node:crypto";
import { createHash } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { decodeHash, interactionHash, verifyInteractionHash } from "./hash";

// Spy on the constant-time comparison the module must use.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const base = {
  clientNonce: "5b6f0a8c-7d7e-4e5c-9a1b-2c3d4e5f6a7b",
  interactNonce: "4105340a-05eb-4290-8739-f9e2b463bfa7",
  interactRef: "4CF492MLVMSW9MKMXKHQ",
  grantEndpoint: "https://auth.interledger-test.dev",
};

const sha = (s: string) => createHash("sha256").update(s).digest();
const over = (endpoint: string) => sha(`${base.clientNonce}\n${base.interactNonce}\n${base.interactRef}\n${endpoint}`);

describe("interaction hash", () => {
  it("is base64(sha-256(clientNonce \\n interactNonce \\n interactRef \\n grant endpoint))", () => {
    expect(interactionHash(base)).toBe(over(base.grantEndpoint).toString("base64"));
    expect(interactionHash(base)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it.each([
    ["padded base64", (b: Buffer) => b.toString("base64")],
    ["unpadded base64", (b: Buffer) => b.toString("base64").replace(/=+$/, "")],
    ["base64url", (b: Buffer) => b.toString("base64url")],
    ["padded base64url", (b: Buffer) => `${b.toString("base64url")}=`],
    ["'+' turned into a space by an unencoded query", (b: Buffer) => b.toString("base64").replace(/\+/g, " ")],
  ])("accepts %s", (_name, encode) => {
    expect(verifyInteractionHash(base, encode(over(base.grantEndpoint)))).toBe(true);
  });

  it("accepts the grant endpoint with or without a trailing slash, whichever side has it", () => {
    expect(verifyInteractionHash(base, over(`${base.grantEndpoint}/`).toString("base64"))).toBe(true);
    expect(verifyInteractionHash({ ...base, grantEndpoint: `${base.grantEndpoint}/` }, over(base.grantEndpoint).toString("base64"))).toBe(true);
    expect(verifyInteractionHash({ ...base, grantEndpoint: `${base.grantEndpoint}/` }, over(`${base.grantEndpoint}/`).toString("base64url"))).toBe(true);
  });

  it("refuses a wrong hash, another interact_ref, another nonce and garbage", () => {
    const good = over(base.grantEndpoint).toString("base64");
    expect(verifyInteractionHash(base, sha("something else").toString("base64"))).toBe(false);
    expect(verifyInteractionHash({ ...base, interactRef: "OTHER" }, good)).toBe(false);
    expect(verifyInteractionHash({ ...base, clientNonce: "forged" }, good)).toBe(false);
    expect(verifyInteractionHash({ ...base, grantEndpoint: "https://evil.example" }, good)).toBe(false);
    for (const bad of ["", "not base64!", good.slice(0, 20), `${good}AAAA`, "%%%", null, undefined]) expect(verifyInteractionHash(base, bad)).toBe(false);
  });

  it("compares with crypto.timingSafeEqual, against every variant even after a match or bad input", () => {
    // (Call counts as deltas: clearing a vi.fn wrapper in Vitest 4 drops its implementation.)
    const spy = vi.mocked(nodeCrypto.timingSafeEqual);
    let before = spy.mock.calls.length;
    verifyInteractionHash(base, over(base.grantEndpoint).toString("base64"));
    expect(spy.mock.calls.length - before).toBe(2);
    before = spy.mock.calls.length;
    verifyInteractionHash(base, "garbage");
    expect(spy.mock.calls.length - before).toBe(2);
  });

  it("decodes only 32-byte digests", () => {
    expect(decodeHash(Buffer.alloc(32, 7).toString("base64"))).toEqual(Buffer.alloc(32, 7));
    expect(decodeHash(Buffer.alloc(31).toString("base64"))).toBeNull();
    expect(decodeHash("x".repeat(200))).toBeNull();
  });
});
