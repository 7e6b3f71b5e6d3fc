import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signRequestBody, signWebhook, verifyRequestBody, verifyWebhookSignature, webhookHmac } from "./signing";

const secret = "whsec_test_0123456789abcdef";
const body = JSON.stringify({ event_id: "evt_1", tx_id: "TXN-ABC123", status: "SUCCESS", amount: "20.00", currency: "USD" });
const now = 1_800_000_000;

describe('webhook X-Signature (t=<unix>,v1=<hex HMAC-SHA256 of "t.body">)', () => {
  it("accepts a valid signature, and one at the edge of the 300-second window", () => {
    expect(verifyWebhookSignature(signWebhook(body, secret, now), body, secret, { now })).toEqual({ ok: true, timestamp: now });
    expect(verifyWebhookSignature(signWebhook(body, secret, now - 300), body, secret, { now }).ok).toBe(true);
    expect(verifyWebhookSignature(signWebhook(body, secret, now + 300), body, secret, { now }).ok).toBe(true);
  });

  it('signs exactly "<t>.<raw body>" with HMAC-SHA256, hex', async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", secret).update(`${now}.${body}`).digest("hex");
    expect(webhookHmac(now, body, secret)).toBe(expected);
    expect(signWebhook(body, secret, now)).toBe(`t=${now},v1=${expected}`);
  });

  it("rejects a signature made with the wrong secret", () => {
    const r = verifyWebhookSignature(signWebhook(body, "whsec_someone_else_000000", now), body, secret, { now });
    expect(r).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("rejects a stale timestamp (replay) even with a valid HMAC", () => {
    expect(verifyWebhookSignature(signWebhook(body, secret, now - 301), body, secret, { now })).toMatchObject({ ok: false, reason: "stale" });
  });

  it("rejects a timestamp too far in the future", () => {
    expect(verifyWebhookSignature(signWebhook(body, secret, now + 301), body, secret, { now })).toMatchObject({ ok: false, reason: "future" });
  });

  it("rejects a tampered body, and a signature moved to another timestamp", () => {
    const header = signWebhook(body, secret, now);
    expect(verifyWebhookSignature(header, body.replace("20.00", "2000.00"), secret, { now })).toMatchObject({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature(header, `${body} `, secret, { now })).toMatchObject({ ok: false, reason: "mismatch" });
    const v1 = header.split("v1=")[1];
    expect(verifyWebhookSignature(`t=${now + 1},v1=${v1}`, body, secret, { now })).toMatchObject({ ok: false, reason: "mismatch" });
  });

  it("rejects missing and malformed headers", () => {
    const v1 = webhookHmac(now, body, secret);
    expect(verifyWebhookSignature(null, body, secret, { now })).toMatchObject({ ok: false, reason: "missing" });
    expect(verifyWebhookSignature("", body, secret, { now })).toMatchObject({ ok: false, reason: "missing" });
    for (const header of [
      v1, // no t=
      `t=${now}`, // no v1=
      `v1=${v1}`,
      `t=abc,v1=${v1}`,
      `t=${now},v1=nothex`,
      `t=${now},v1=${v1.slice(0, 63)}`,
      `t=${now},t=${now},v1=${v1}`,
      `t=${now};v1=${v1}`,
      `t=${now},v1=${v1}`.padEnd(2000, ","),
    ])
      expect(verifyWebhookSignature(header, body, secret, { now }), header.slice(0, 80)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("accepts any of several v1 signatures (secret rotation) and ignores unknown schemes", () => {
    const good = webhookHmac(now, body, secret);
    const other = webhookHmac(now, body, "whsec_old_secret_00000000");
    expect(verifyWebhookSignature(`t=${now},v1=${other},v1=${good}`, body, secret, { now }).ok).toBe(true);
    expect(verifyWebhookSignature(`t=${now},v0=zzz,v1=${good.toUpperCase()}`, body, secret, { now }).ok).toBe(true);
  });
});

describe("request signatures (RSA-SHA256 over the exact body, base64)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const payload = JSON.stringify({ cprn: "CPRN-ABC123", amount: 2000, currency: "USD", reference: "ck_1" });

  it("verifies with the public key", () => {
    const sig = signRequestBody(payload, privateKey);
    expect(sig).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sig, "base64")).toHaveLength(256);
    expect(verifyRequestBody(payload, sig, publicKey)).toBe(true);
    expect(verifyRequestBody("", signRequestBody("", privateKey), publicKey)).toBe(true);
  });

  it("fails for a changed body, another key, or garbage", () => {
    const sig = signRequestBody(payload, privateKey);
    expect(verifyRequestBody(payload.replace("2000", "20"), sig, publicKey)).toBe(false);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(verifyRequestBody(payload, sig, other.publicKey)).toBe(false);
    expect(verifyRequestBody(payload, "not base64!", publicKey)).toBe(false);
    expect(verifyRequestBody(payload, "", publicKey)).toBe(false);
  });
});
