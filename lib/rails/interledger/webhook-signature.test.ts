import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalize, signRafikiWebhook, verifyRafikiSignature } from "./webhook-signature";

const secret = "rafiki-webhook-secret-0123456789";
const now = new Date("2026-11-23T12:00:00Z");
const t = Math.floor(now.getTime() / 1000);
const event = {
  id: "0b5a0e9e-9c55-4c1e-9a4f-1ad0c3e3a001",
  type: "incoming_payment.completed",
  data: { receivedAmount: { value: "2000", assetScale: 2, assetCode: "USD" }, id: "f1c2", completed: true },
};
// What Rafiki puts on the wire (axios: JSON.stringify, keys in insertion order).
const body = JSON.stringify(event);
const hmac = (payload: string, key = secret) => createHmac("sha256", key).update(payload).digest("hex");

describe("Rafiki-Signature", () => {
  it("canonicalizes like RFC 8785 (sorted keys, no whitespace)", () => {
    expect(canonicalize({ b: 1, a: [true, null, "x"], c: { z: 1, y: "2" } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":"2","z":1}}');
  });

  it("accepts Rafiki's own signature (t=…, v1=… over t.canonical(event)) on the raw body", () => {
    const header = signRafikiWebhook(event, secret, now);
    expect(header).toMatch(/^t=\d+, v1=[0-9a-f]{64}$/);
    expect(verifyRafikiSignature({ header, rawBody: body, secret, now })).toEqual({ ok: true, timestamp: t });
  });

  it("accepts a v1 HMAC over t.rawBody, with or without the space after the comma", () => {
    expect(verifyRafikiSignature({ header: `t=${t},v1=${hmac(`${t}.${body}`)}`, rawBody: body, secret, now }).ok).toBe(true);
    expect(verifyRafikiSignature({ header: `t=${t}, v1=${hmac(`${t}.${body}`)}`, rawBody: body, secret, now }).ok).toBe(true);
  });

  it("refuses the wrong secret", () => {
    const header = signRafikiWebhook(event, "another-secret-entirely-000", now);
    expect(verifyRafikiSignature({ header, rawBody: body, secret, now })).toEqual({ ok: false, reason: "signature does not match" });
  });

  it("refuses a stale or future timestamp (300 s tolerance)", () => {
    const old = new Date(now.getTime() - 301_000);
    expect(verifyRafikiSignature({ header: signRafikiWebhook(event, secret, old), rawBody: body, secret, now })).toEqual({
      ok: false,
      reason: "timestamp outside the tolerance window",
    });
    const future = new Date(now.getTime() + 301_000);
    expect(verifyRafikiSignature({ header: signRafikiWebhook(event, secret, future), rawBody: body, secret, now }).ok).toBe(false);
    expect(verifyRafikiSignature({ header: signRafikiWebhook(event, secret, new Date(now.getTime() - 299_000)), rawBody: body, secret, now }).ok).toBe(true);
  });

  it("refuses a tampered body", () => {
    const header = signRafikiWebhook(event, secret, now);
    const tampered = body.replace('"2000"', '"200000"');
    expect(verifyRafikiSignature({ header, rawBody: tampered, secret, now }).ok).toBe(false);
    expect(verifyRafikiSignature({ header, rawBody: JSON.stringify({ ...event, type: "incoming_payment.expired" }), secret, now }).ok).toBe(false);
  });

  it("refuses missing and malformed headers", () => {
    for (const header of [null, "", "v1=abc", `t=${t}`, `t=abc, v1=${"0".repeat(64)}`, `t=${t}, v1=zz`, "garbage", `t=${t}, v1=${"0".repeat(64)}`.repeat(40)])
      expect(verifyRafikiSignature({ header, rawBody: body, secret, now }).ok).toBe(false);
  });
});
