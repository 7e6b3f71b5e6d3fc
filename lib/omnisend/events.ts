import "server-only";
import { createHash } from "node:crypto";
import { db, type Prisma } from "@/lib/db/client";
import { type Env, env } from "@/lib/env";
import { minorDigits } from "@/lib/format";
import { log } from "@/lib/log";
import { applyMapping, DEFAULT_PURCHASE_PROPERTIES, type PurchaseField } from "@/lib/omnisend-mapping";

// Omnisend custom events (Events API v5: POST /v5/events with the X-API-KEY header; body
// { eventName, eventID, eventTime, origin: "api", contact: { email }, properties }):
//   - "credits purchased" when credits land — its name (OMNISEND_PURCHASE_EVENT) and its
//     properties (OMNISEND_PURCHASE_PROPERTIES, lib/omnisend-mapping.ts) are configurable, so
//     an older integration's event ("Security Token Trade Success" with trade_amount /
//     token_symbol) can be reproduced for automations that already listen for it;
//   - a welcome event at sign-up when OMNISEND_WELCOME_EVENT names one.
// eventID is a UUID derived from the checkout (or the account) and eventTime is the credit
// (or sign-up) time, so a resend after a crash is the same event to Omnisend, which processes
// an eventID + eventTime pair once. Each event is first written to the outbox (an
// OutboundCall row per checkout / account, payload as it will be sent), so we ask at most
// once at a time, stop after it succeeded, and the reconciler re-sends what failed
// (resendOmnisendEvents).

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

export function creditsPurchasedPayload(p: CreditsPurchased, e: Pick<Env, "OMNISEND_PURCHASE_EVENT" | "OMNISEND_PURCHASE_PROPERTIES"> = env()) {
  const values: Record<PurchaseField, string | number> = {
    checkoutId: p.checkoutId,
    credits: p.credits,
    amount: decimalMajor(p.priceMinor, p.currency),
    amountMinor: p.priceMinor,
    currency: p.currency,
    paidAmount: p.paidAmount,
    paidUnit: p.paidUnit,
    rail: p.rail,
    packageName: p.packageName,
    creditedAt: p.creditedAt.toISOString(),
    email: p.email,
  };
  return {
    eventName: e.OMNISEND_PURCHASE_EVENT ?? OMNISEND_EVENT_NAME,
    eventID: eventUuid(`satchel:${p.checkoutId}:credits-purchased`),
    eventTime: p.creditedAt.toISOString(),
    origin: "api",
    contact: { email: p.email },
    properties: applyMapping(e.OMNISEND_PURCHASE_PROPERTIES ?? DEFAULT_PURCHASE_PROPERTIES, values),
  };
}

export interface SignedUp {
  userId: string;
  email: string;
  name: string | null;
  locale: string;
  createdAt: Date;
}

export function welcomePayload(u: SignedUp, eventName: string) {
  return {
    eventName,
    eventID: eventUuid(`satchel:${u.userId}:welcome`),
    eventTime: u.createdAt.toISOString(),
    origin: "api",
    contact: { email: u.email, ...(u.name ? { firstName: u.name } : {}) },
    properties: { userID: u.userId, locale: u.locale, signedUpAt: u.createdAt.toISOString() },
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
  const outcome = await queueAndSend(`credits-purchased:${p.checkoutId}`, creditsPurchasedPayload(p, e), now);
  if (outcome instanceof Error) throw new Error(`Omnisend event for checkout ${p.checkoutId} failed: ${outcome.message}`);
  return outcome;
}

/**
 * The sign-up event, once per account. A failure is recorded on the outbox row (the
 * reconciler re-sends it) and never fails the sign-up itself.
 */
export async function sendWelcome(u: SignedUp, now = new Date()): Promise<OmnisendOutcome | "failed"> {
  const e = env();
  if (!e.OMNISEND_API_KEY || !e.OMNISEND_WELCOME_EVENT) return "disabled";
  const outcome = await queueAndSend(`welcome:${u.userId}`, welcomePayload(u, e.OMNISEND_WELCOME_EVENT), now);
  if (outcome instanceof Error) {
    log.warn({ userId: u.userId, err: outcome.message }, "omnisend: welcome event failed; the reconciler retries it");
    return "failed";
  }
  return outcome;
}

/** Outbox rows that were never sent (a failure, a crash mid-call), oldest first: sent again as stored. */
export async function resendOmnisendEvents(now = new Date(), limit = 50): Promise<{ resent: number; failed: number }> {
  if (!env().OMNISEND_API_KEY) return { resent: 0, failed: 0 };
  const rows = await db.outboundCall.findMany({
    where: { provider: "omnisend", sentAt: null, createdAt: { lt: new Date(now.getTime() - RESEND_AFTER_MS) } },
    select: { dedupKey: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
  let resent = 0;
  let failed = 0;
  for (const r of rows) {
    const outcome = await claimAndSend(r.dedupKey, now);
    if (outcome === "sent") resent++;
    else if (outcome instanceof Error) failed++;
  }
  return { resent, failed };
}

/** Unsent outbox rows older than this are the reconciler's to retry (a fresh one is its caller's). */
const RESEND_AFTER_MS = 30_000;

async function queueAndSend(dedupKey: string, payload: object, now: Date): Promise<OmnisendOutcome | Error> {
  await db.outboundCall.createMany({ data: [{ provider: "omnisend", dedupKey, payload: payload as Prisma.InputJsonValue }], skipDuplicates: true });
  return claimAndSend(dedupKey, now);
}

/** Claims the row (compare-and-set), sends its stored payload and marks it sent; an Error when Omnisend refused or could not be reached. */
async function claimAndSend(dedupKey: string, now: Date): Promise<OmnisendOutcome | Error> {
  const e = env();
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
      headers: { "X-API-KEY": e.OMNISEND_API_KEY!, "Content-Type": "application/json", Accept: "application/json" },
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
    return new Error(message);
  }
  await db.outboundCall.update({ where: { id: row.id }, data: { sentAt: new Date(), error: null } });
  return "sent";
}
