import "server-only";
import { createHash } from "node:crypto";
import { db, type Prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { minorDigits } from "@/lib/format";

// Omnisend "credits purchased" custom event (Events API v5: POST /v5/events with the
// X-API-KEY header; body { eventName, eventID, eventTime, origin: "api", contact: { email },
// properties }). eventID is a UUID derived from the checkout and eventTime is the credit
// time, so a resend after a crash is the same event to Omnisend, which processes an
// eventID + eventTime pair once. Locally an OutboundCall row per checkout makes sure we ask
// at most once at a time and stop after it succeeded.

export const OMNISEND_DEFAULT_URL = "https://api.omnisend.com";
export const OMNISEND_EVENT_NAME = "credits purchased";

export interface CreditsPurchased {
  checkoutId: string;
  email: string;
  credits: number;
  /** Price in minor units and its currency (what the package cost). */
  priceMinor: number;
  currency: string;
  /** Amount received on the rail, in its unit (sats). */
  paidAmount: string;
  paidUnit: string;
  rail: string;
  packageName: string;
  creditedAt: Date;
}

/** A stable UUID (v4 layout) for the checkout's event, so a resend is recognisably the same event. */
export function eventUuid(key: string): string {
  const h = createHash("sha256").update(key).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function creditsPurchasedPayload(p: CreditsPurchased) {
  return {
    eventName: OMNISEND_EVENT_NAME,
    eventID: eventUuid(`satchel:${p.checkoutId}:credits-purchased`),
    eventTime: p.creditedAt.toISOString(),
    origin: "api",
    contact: { email: p.email },
    properties: {
      checkoutID: p.checkoutId,
      credits: p.credits,
      amount: decimalMajor(p.priceMinor, p.currency),
      amountMinor: p.priceMinor,
      currency: p.currency,
      paidAmount: p.paidAmount,
      paidUnit: p.paidUnit,
      rail: p.rail,
      packageName: p.packageName,
    },
  };
}

/** 2000 USD cents → "20.00": exact, never through a float. */
function decimalMajor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const scale = 10n ** BigInt(digits);
  const n = BigInt(minor);
  return digits > 0 ? `${n / scale}.${(n % scale).toString().padStart(digits, "0")}` : n.toString();
}

const CLAIM_TTL_MS = 5 * 60_000;

export type OmnisendOutcome = "disabled" | "sent" | "already_sent" | "in_progress";

export async function sendCreditsPurchased(p: CreditsPurchased, now = new Date()): Promise<OmnisendOutcome> {
  const e = env();
  if (!e.OMNISEND_API_KEY) return "disabled";
  const payload = creditsPurchasedPayload(p);
  const dedupKey = `credits-purchased:${p.checkoutId}`;
  await db.outboundCall.createMany({ data: [{ provider: "omnisend", dedupKey, payload: payload as Prisma.InputJsonValue }], skipDuplicates: true });
  const row = await db.outboundCall.findUniqueOrThrow({ where: { provider_dedupKey: { provider: "omnisend", dedupKey } } });
  if (row.sentAt) return "already_sent";
  const { count } = await db.outboundCall.updateMany({
    where: { id: row.id, sentAt: null, OR: [{ claimedAt: null }, { claimedAt: { lt: new Date(now.getTime() - CLAIM_TTL_MS) } }] },
    data: { claimedAt: now, attempts: { increment: 1 } },
  });
  if (count === 0) return "in_progress";
  const url = new URL("/v5/events", e.OMNISEND_API_URL ?? OMNISEND_DEFAULT_URL).toString();
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "X-API-KEY": e.OMNISEND_API_KEY, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(row.payload),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) {
      const body = (await res.text().catch(() => "")).slice(0, 300);
      throw new Error(`Omnisend answered HTTP ${res.status}${body ? `: ${body}` : ""}`);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db.outboundCall.update({ where: { id: row.id }, data: { claimedAt: null, error: message.slice(0, 1000) } });
    throw new Error(`Omnisend event for checkout ${p.checkoutId} failed: ${message}`);
  }
  await db.outboundCall.update({ where: { id: row.id }, data: { sentAt: new Date(), error: null } });
  return "sent";
}
