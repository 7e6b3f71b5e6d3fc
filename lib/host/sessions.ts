import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { isCredited, SETTLED_STATUSES } from "@/lib/checkouts/statuses";
import { db, type Prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { findActivePackage } from "@/lib/packages/packages";
import { RAILS } from "@/lib/rails/registry";
import { upsertCustomer } from "./customers";
import { type Page, pageWhere } from "./pagination";

// Hosted checkout sessions. A host creates one for its customer: a package, or its own amount
// (in a fiat currency, or in BTC as satoshis) with the credits it buys (0: a plain payment),
// the rails offered, its reference and metadata, and where to send the buyer back. The
// session's URL carries an unguessable token (only its SHA-256 is stored): opening it lets
// that browser pay this one session — nothing else, no Satchel sign-in. Each rail the buyer
// tries is one Checkout (an attempt) carrying the session id, reference and metadata.

export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
export const sessionCookie = (sessionId: string) => `satchel_cs_${sessionId}`;
const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export interface NewSession {
  customer: { externalId: string; email?: string; name?: string };
  package?: string;
  amount?: number;
  currency?: string;
  credits?: number;
  description?: string;
  rails?: string[];
  reference?: string;
  metadata?: Record<string, string>;
  successUrl: string;
  cancelUrl?: string;
  now?: Date;
}

const sessionSelect = {
  id: true,
  packageId: true,
  description: true,
  credits: true,
  amountMinor: true,
  currency: true,
  rails: true,
  reference: true,
  metadata: true,
  successUrl: true,
  cancelUrl: true,
  expiresAt: true,
  createdAt: true,
  customer: { select: { externalId: true, userId: true } },
  package: { select: { slug: true } },
  checkouts: {
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      rail: true,
      status: true,
      exception: true,
      expectedAmount: true,
      receivedAmount: true,
      amountUnit: true,
      createdAt: true,
      creditedAt: true,
    },
  },
} satisfies Prisma.CheckoutSessionSelect;
type SessionRow = Prisma.CheckoutSessionGetPayload<{ select: typeof sessionSelect }>;

export function sessionStatus(s: Pick<SessionRow, "expiresAt" | "checkouts">, now = new Date()): "open" | "complete" | "expired" {
  if (s.checkouts.some((c) => isCredited(c.status))) return "complete";
  if (s.checkouts.some((c) => SETTLED_STATUSES.includes(c.status))) return "open";
  return s.expiresAt <= now ? "expired" : "open";
}

export function sessionView(s: SessionRow, opts: { url?: string; now?: Date } = {}) {
  return {
    id: s.id,
    object: "checkout_session" as const,
    url: opts.url ?? null,
    status: sessionStatus(s, opts.now),
    customer: s.customer.externalId,
    package: s.package?.slug ?? null,
    amount: s.amountMinor,
    currency: s.currency,
    credits: s.credits,
    description: s.description,
    rails: s.rails,
    reference: s.reference,
    metadata: (s.metadata as Record<string, string>) ?? {},
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    expires_at: s.expiresAt.toISOString(),
    created_at: s.createdAt.toISOString(),
    checkouts: s.checkouts.map((c) => ({
      id: c.id,
      rail: c.rail,
      status: c.status,
      exception: c.exception,
      amount_due: c.expectedAmount.toString(),
      amount_received: c.receivedAmount.toString(),
      unit: c.amountUnit,
      created_at: c.createdAt.toISOString(),
      credited_at: c.creditedAt?.toISOString() ?? null,
    })),
  };
}
export type SessionView = ReturnType<typeof sessionView>;

function bad(param: string, message: string): never {
  throw new AppError("validation_failed", message, { param });
}

export async function createSession(input: NewSession): Promise<SessionView> {
  const now = input.now ?? new Date();
  let terms: { packageId: string | null; description: string; credits: number; amountMinor: number; currency: string };
  if (input.package !== undefined) {
    if (input.amount !== undefined || input.currency !== undefined || input.credits !== undefined)
      bad("package", "Give either a package or amount, currency and credits, not both.");
    const pkg = await findActivePackage(input.package);
    if (!pkg) throw new AppError("not_found", `No package ${input.package} is on sale.`, { param: "package" });
    terms = { packageId: pkg.id, description: input.description ?? pkg.name, credits: pkg.credits, amountMinor: pkg.priceMinor, currency: pkg.currency };
  } else {
    if (input.amount === undefined) bad("amount", "Give a package, or amount, currency and credits.");
    if (input.currency === undefined) bad("currency", "Give the currency of the amount (ISO 4217, or BTC for satoshis).");
    if (input.credits === undefined) bad("credits", "Give the credits this payment buys (0 for a plain payment).");
    if (!input.description) bad("description", "Describe what the buyer pays for.");
    terms = { packageId: null, description: input.description, credits: input.credits, amountMinor: input.amount, currency: input.currency };
  }
  const rails = [...new Set(input.rails ?? [])];
  for (const [i, r] of rails.entries()) {
    const rail = RAILS.find((x) => x.id === r);
    if (!rail?.enabled()) bad(`rails.${i}`, `Rail ${r} is not offered here.`);
  }
  if (terms.currency === "BTC") {
    // Only the Bitcoin rail takes an amount set in BTC.
    if (rails.some((r) => r !== "btc")) bad("rails", "An amount in BTC can only be paid with the btc rail.");
    rails.splice(0, rails.length, "btc");
  }
  const customer = await upsertCustomer({ externalId: input.customer.externalId, email: input.customer.email, name: input.customer.name });
  const token = randomBytes(24).toString("base64url");
  const id = `cs_${randomBytes(12).toString("hex")}`;
  await db.checkoutSession.create({
    data: {
      id,
      customerId: customer.id,
      ...terms,
      rails,
      reference: input.reference ?? null,
      metadata: input.metadata ?? {},
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl ?? null,
      tokenHash: hashToken(token),
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    },
  });
  const row = await db.checkoutSession.findUniqueOrThrow({ where: { id }, select: sessionSelect });
  return sessionView(row, { url: `${env().APP_URL.replace(/\/$/, "")}/pay/${token}`, now });
}

export async function getSession(id: string): Promise<SessionView> {
  const row = await db.checkoutSession.findUnique({ where: { id }, select: sessionSelect });
  if (!row) throw new AppError("not_found", `No checkout session ${id}.`);
  return sessionView(row);
}

/** Sessions newest first, optionally for one of the host's orders (reference) or customers. */
export async function listSessions(opts: { limit: number; startingAfter?: string; reference?: string; customer?: string }): Promise<Page<SessionView>> {
  const where: Prisma.CheckoutSessionWhereInput = {
    ...(opts.reference ? { reference: opts.reference } : {}),
    ...(opts.customer ? { customer: { externalId: opts.customer } } : {}),
  };
  const cursor = opts.startingAfter ? await db.checkoutSession.findUnique({ where: { id: opts.startingAfter }, select: { id: true, createdAt: true } }) : null;
  const rows = await db.checkoutSession.findMany({
    where: { AND: [where, pageWhere(cursor, opts.startingAfter)] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    select: sessionSelect,
  });
  return { data: rows.slice(0, opts.limit).map((r) => sessionView(r)), hasMore: rows.length > opts.limit };
}

// ── The buyer's side ──

/** The session a token opens (the hosted link), or null. */
export async function sessionForToken(token: string): Promise<{ id: string; expiresAt: Date } | null> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return null;
  return db.checkoutSession.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, expiresAt: true } });
}

type CookieGet = (name: string) => string | undefined;

/** The session, if this browser holds its token (the cookie set when the hosted link was opened). */
export async function hostedSession(sessionId: string, cookie: CookieGet) {
  const token = cookie(sessionCookie(sessionId));
  if (!token) return null;
  const row = await db.checkoutSession.findUnique({ where: { id: sessionId }, select: { ...sessionSelect, tokenHash: true } });
  if (!row || row.tokenHash !== hashToken(token)) return null;
  return row;
}
export type HostedSession = NonNullable<Awaited<ReturnType<typeof hostedSession>>>;

/**
 * Who may see a checkout through a hosted session: its customer's account, for that one
 * checkout, when this browser holds the session's token. Null otherwise.
 */
export async function hostedViewer(checkoutId: string, cookie: CookieGet): Promise<{ id: string; role: "buyer" } | null> {
  const c = await db.checkout.findUnique({ where: { id: checkoutId }, select: { userId: true, sessionId: true } });
  if (!c?.sessionId) return null;
  const s = await hostedSession(c.sessionId, cookie);
  if (!s || s.customer.userId !== c.userId) return null;
  return { id: c.userId, role: "buyer" };
}

/** Where the buyer goes once paid: success_url with ?session_id=. */
export function successRedirect(s: { id: string; successUrl: string }): string {
  const u = new URL(s.successUrl);
  u.searchParams.set("session_id", s.id);
  return u.toString();
}

/** The host session a checkout belongs to (id and success_url), if any. */
export async function sessionOfCheckout(checkoutId: string): Promise<{ id: string; successUrl: string } | null> {
  const c = await db.checkout.findUnique({ where: { id: checkoutId }, select: { session: { select: { id: true, successUrl: true } } } });
  return c?.session ?? null;
}
