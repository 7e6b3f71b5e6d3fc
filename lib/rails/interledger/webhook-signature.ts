import { createHmac, timingSafeEqual } from "node:crypto";

// Rafiki's webhook signature. Rafiki (packages/backend/src/webhook/service.ts) sends
//   Rafiki-Signature: t=<unix seconds>, v1=<hex HMAC-SHA256>
// over `${t}.${canonicalize({ id, type, data })}` — the event as RFC 8785 canonical JSON,
// while the body on the wire is ordinary JSON.stringify output. We accept a v1 digest over
// either the canonical event or the raw body (same secret, same strength), within a
// tolerance window, compared in constant time.

export const RAFIKI_SIGNATURE_HEADER = "rafiki-signature";
export const RAFIKI_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** RFC 8785 (JSON Canonicalization Scheme) for values that came out of JSON.parse. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalize(v)}`).join(",")}}`;
}

function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/** Signs like Rafiki does (the sandbox and tests use this). */
export function signRafikiWebhook(event: { id: string; type: string; data: unknown }, secret: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t}, v1=${hmacHex(secret, `${t}.${canonicalize({ id: event.id, type: event.type, data: event.data })}`)}`;
}

function parseHeader(header: string): { t: number; v1: string[] } | null {
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const m = /^\s*([a-z0-9]+)=(.*?)\s*$/i.exec(part);
    if (!m) return null;
    if (m[1] === "t") {
      if (!/^\d{1,12}$/.test(m[2]!)) return null;
      t = Number(m[2]);
    } else if (m[1] === "v1") {
      if (!/^[0-9a-f]{64}$/i.test(m[2]!)) return null;
      v1.push(m[2]!.toLowerCase());
    }
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

function equalHex(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/** Verifies a Rafiki-Signature header against the raw body. */
export function verifyRafikiSignature(opts: {
  header: string | null | undefined;
  rawBody: string;
  secret: string;
  now?: Date;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!opts.header) return { ok: false, reason: "missing Rafiki-Signature header" };
  if (opts.header.length > 1000) return { ok: false, reason: "malformed Rafiki-Signature header" };
  const parsed = parseHeader(opts.header);
  if (!parsed) return { ok: false, reason: "malformed Rafiki-Signature header (expected t=<unix>, v1=<hex>)" };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - parsed.t) > (opts.toleranceSeconds ?? RAFIKI_TOLERANCE_SECONDS)) return { ok: false, reason: "timestamp outside the tolerance window" };
  const candidates = [hmacHex(opts.secret, `${parsed.t}.${opts.rawBody}`)];
  try {
    const event = JSON.parse(opts.rawBody) as { id?: unknown; type?: unknown; data?: unknown };
    if (event && typeof event === "object")
      candidates.push(hmacHex(opts.secret, `${parsed.t}.${canonicalize({ id: event.id, type: event.type, data: event.data })}`));
  } catch {
    // Not JSON: only the raw-body digest can match (and the route refuses it afterwards anyway).
  }
  let ok = 0;
  for (const expected of candidates) for (const got of parsed.v1) ok |= equalHex(expected, got) ? 1 : 0;
  return ok ? { ok: true, timestamp: parsed.t } : { ok: false, reason: "signature does not match" };
}
