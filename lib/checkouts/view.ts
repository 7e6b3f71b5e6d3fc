import "server-only";
import { db } from "@/lib/db/client";
import type { CheckoutException, CheckoutStatus } from "@/lib/db/generated/enums";
import { railFor } from "@/lib/rails/registry";
import { isOpen } from "./statuses";

// What a buyer (or an admin) sees of a checkout: JSON-safe (sats as strings, ISO dates),
// and only ever returned to the checkout's owner or an admin. Everyone else gets null,
// which callers turn into a 404 so ids reveal nothing.

export interface Viewer {
  id: string;
  role: "buyer" | "admin";
}

export interface CheckoutView {
  id: string;
  rail: string;
  status: CheckoutStatus;
  exception: CheckoutException | null;
  packageName: string;
  /** Where "start a new checkout" goes: the package's buy page, or the host session's hosted page. */
  startNewHref: string;
  credits: number;
  priceMinor: number;
  currency: string;
  expectedAmount: string;
  receivedAmount: string;
  /** What is still due (0 when paid in full). */
  remainingAmount: string;
  amountUnit: string;
  rate: { value: string; source: string; at: string } | null;
  address: string | null;
  /** The rail panel's URIs (Bitcoin: BIP21) — null on rails without them. BIP21 URI for the full amount. */
  paymentUri: string | null;
  /** BIP21 URI for what is still due, when underpaid. */
  remainingUri: string | null;
  network: string | null;
  confirmations: number;
  confirmationsRequired: number;
  createdAt: string;
  expiresAt: string;
  monitorUntil: string;
  seenAt: string | null;
  paidAt: string | null;
  creditedAt: string | null;
  outputs: { txid: string; vout: number; sats: string; confirmed: boolean; gone: boolean }[];
  timeline: { at: string; status: CheckoutStatus; message: string }[];
  /** Why the provider failed the payment, in plain language. */
  failureMessage: string | null;
  /** Rail-specific facts for the rail's panel (see Rail.panel). */
  details: Record<string, string | number | boolean | null>;
  /** Open: the buyer may still pay or is waiting on confirmations. */
  open: boolean;
  /** The built-in regtest simulator backs this checkout (the page shows its controls). */
  simulator: boolean;
  serverTime: string;
}

export { isOpen };

/** A package's buy page, or — for a host's checkout session — its hosted page. */
export function startNewHref(c: { sessionId: string | null; package: { slug: string } | null }): string {
  if (c.sessionId) return `/hosted/${encodeURIComponent(c.sessionId)}`;
  return c.package ? `/buy/${encodeURIComponent(c.package.slug)}` : "/";
}

export async function checkoutView(id: string, viewer: Viewer): Promise<CheckoutView | null> {
  const c = await db.checkout.findUnique({
    where: { id },
    include: {
      package: { select: { slug: true } },
      outputs: { orderBy: { firstSeenAt: "asc" } },
      events: { orderBy: { createdAt: "asc" }, take: 100, select: { createdAt: true, toStatus: true, message: true } },
    },
  });
  if (!c || (c.userId !== viewer.id && viewer.role !== "admin")) return null;
  const remaining = c.expectedAmount > c.receivedAmount ? c.expectedAmount - c.receivedAmount : 0n;
  const panel = await railFor(c.rail).panel({
    id: c.id,
    address: c.address,
    expectedAmount: c.expectedAmount,
    receivedAmount: c.receivedAmount,
    packageName: c.packageName,
    retryHref: startNewHref(c),
    credits: c.credits,
  });
  return {
    id: c.id,
    rail: c.rail,
    status: c.status,
    exception: c.exception,
    packageName: c.packageName,
    startNewHref: startNewHref(c),
    credits: c.credits,
    priceMinor: c.priceMinor,
    currency: c.currency,
    expectedAmount: c.expectedAmount.toString(),
    receivedAmount: c.receivedAmount.toString(),
    remainingAmount: remaining.toString(),
    amountUnit: c.amountUnit,
    rate: c.rateValue && c.rateSource && c.rateAt ? { value: c.rateValue, source: c.rateSource, at: c.rateAt.toISOString() } : null,
    address: c.address,
    paymentUri: panel.paymentUri ?? null,
    remainingUri: panel.remainingUri ?? null,
    network: panel.network ?? null,
    confirmations: c.confirmations,
    confirmationsRequired: c.confirmationsRequired,
    createdAt: c.createdAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    monitorUntil: c.monitorUntil.toISOString(),
    seenAt: c.seenAt?.toISOString() ?? null,
    paidAt: c.paidAt?.toISOString() ?? null,
    creditedAt: c.creditedAt?.toISOString() ?? null,
    outputs: c.outputs.map((o) => ({ txid: o.txid, vout: o.vout, sats: o.sats.toString(), confirmed: o.blockHeight !== null, gone: o.goneAt !== null })),
    timeline: c.events.map((e) => ({ at: e.createdAt.toISOString(), status: e.toStatus, message: e.message })),
    failureMessage: c.failureMessage,
    details: panel.details,
    open: isOpen(c.status),
    simulator: Boolean(panel.simulator),
    serverTime: new Date().toISOString(),
  };
}

/** Claims the right to observe now if nobody did in the last `minAgeMs` (one winner across instances). */
export async function claimObservation(id: string, minAgeMs: number, now = new Date()): Promise<boolean> {
  const cutoff = new Date(now.getTime() - minAgeMs);
  const { count } = await db.checkout.updateMany({
    where: {
      id,
      status: { in: ["pending", "confirming", "expired"] },
      monitorUntil: { gt: now },
      OR: [{ lastObservedAt: null }, { lastObservedAt: { lt: cutoff } }],
    },
    data: { lastObservedAt: now },
  });
  return count === 1;
}
