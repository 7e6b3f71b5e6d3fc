import { createHmac, createSign, createVerify, type KeyObject, timingSafeEqual } from "node:crypto";

// The two signatures of the NEO Bank / Bill Bitts gateway (README: "NEO Bank gateway webhook
// contract"). Pure functions, shared by the client, the webhook route, the sandbox and tests.
//
// Requests we send: the exact request body bytes (empty for GET) signed RSASSA-PKCS1-v1_5
// with SHA-256 by NEOBANK_PRIVATE_KEY, base64 in the `X-Request-Signature` header; the
// gateway verifies it with the public key uploaded to its portal.
//
// Webhooks it sends: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
// keyed by NEOBANK_WEBHOOK_SECRET, accepted within a 300-second window either side.

export const REQUEST_SIGNATURE_HEADER = "x-request-signature";
export const API_KEY_HEADER = "x-api-key";
export const WEBHOOK_SIGNATURE_HEADER = "x-signature";
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** base64 RSA-SHA256 signature of the body. */
export function signRequestBody(body: string, privateKey: KeyObject): string {
  return createSign("sha256").update(body, "utf8").sign(privateKey, "base64");
}

export function verifyRequestBody(body: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify("sha256").update(body, "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

/** hex HMAC-SHA256 of "<t>.<body>". */
export function webhookHmac(timestamp: number | string, body: string, secret: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

/** The X-Signature value for a body sent at unix time `timestamp`. */
export function signWebhook(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${webhookHmac(timestamp, body, secret)}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "future" | "mismatch"; message: string };

/**
 * Checks an X-Signature header against the raw body. Several v1 entries are allowed (the
 * gateway signs with both secrets while one is rotated); any match passes. The comparison
 * is constant-time; a timestamp outside the tolerance fails even with a valid HMAC, so a
 * captured delivery cannot be replayed later.
 */
export function verifyWebhookSignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  opts: { now?: number; toleranceSeconds?: number } = {},
): WebhookVerification {
  if (!header?.trim()) return { ok: false, reason: "missing", message: "missing X-Signature header" };
  if (header.length > 1024) return { ok: false, reason: "malformed", message: "X-Signature header is too long" };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, reason: "malformed", message: "X-Signature must look like t=<unix>,v1=<hex>" };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null)
        return { ok: false, reason: "malformed", message: "X-Signature t= must be one unix timestamp in seconds" };
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: "malformed", message: "X-Signature v1= must be 64 hex characters" };
      signatures.push(value.toLowerCase());
    }
    // Other schemes (v0, future versions) are ignored, as Stripe-style verifiers do.
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: "malformed", message: "X-Signature needs both t= and v1=" };
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (timestamp < now - tolerance) return { ok: false, reason: "stale", message: `timestamp is more than ${tolerance} s old` };
  if (timestamp > now + tolerance) return { ok: false, reason: "future", message: `timestamp is more than ${tolerance} s in the future` };
  const expected = Buffer.from(webhookHmac(timestamp, body, secret), "hex");
  let match = false;
  for (const s of signatures) if (timingSafeEqual(expected, Buffer.from(s, "hex"))) match = true;
  if (!match) return { ok: false, reason: "mismatch", message: "signature does not match the body" };
  return { ok: true, timestamp };
}
