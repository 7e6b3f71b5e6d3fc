// A local Open Payments sandbox: wallet address server, authorization server (GNAP grants,
// an interaction page where the "buyer" approves or rejects, grant continuation) and
// resource server (incoming payments, quotes, outgoing payments), speaking the published
// Open Payments formats (the OpenAPI specs shipped in @interledger/open-payments, which the
// client validates every response against). Every signed request is checked the way a real
// auth/resource server does: HTTP message signatures (http-signature-utils) against the
// client's JWKS, including the content digest, and the signature's age.
//
// Identifiers are https URLs on 127.0.0.1 as a real wallet's would be; the server itself
// speaks plain http, so the client runs with `useHttp` (the library's development switch).
// Paying an outgoing payment moves "money" between in-memory balances at once and completes
// the merchant's incoming payment. Nothing here is real money, and the app decides whether
// it may ever start this (lib/rails/interledger/sandbox/index.ts).

import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { generateJwk, getKeyId, type JWK, validateSignature, validateSignatureHeaders } from "@interledger/http-signature-utils";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { signRafikiWebhook } from "../webhook-signature";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/interledger/sandbox/server.ts");

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Where to send Rafiki-style webhooks (incoming_payment.completed …), signed with webhookSecret. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Starting balance of every buyer wallet, in cents (default $1,000.00). */
  buyerBalance?: bigint;
}

export interface OpenPaymentsSandbox {
  /** http base the server listens on, e.g. http://127.0.0.1:3003 (browser-facing pages). */
  url: string;
  /** https origin used in identifiers (wallet addresses, payments). */
  origin: string;
  merchantWalletAddress: string;
  /** A buyer wallet address in this sandbox: walletAddress("alice"). */
  walletAddress(name: string): string;
  /** The client key the app signs with (generated at start); its JWK is the merchant's JWKS. */
  keyId: string;
  privateKey: KeyObject;
  webhookSecret: string;
  state: SandboxState;
  close(): Promise<void>;
}

type Amount = { value: string; assetCode: string; assetScale: number };
type AccessItem = { type: string; actions: string[]; identifier?: string; limits?: { debitAmount?: Amount; receiveAmount?: Amount; receiver?: string } };

interface Wallet {
  name: string;
  assetCode: string;
  assetScale: number;
  balance: bigint;
  keys: JWK[];
}

interface Grant {
  id: string;
  clientWallet: string;
  clientKey: JWK;
  access: AccessItem[];
  status: "pending" | "approved" | "rejected" | "finalized";
  continueToken: string;
  interact?: { id: string; clientNonce: string; interactNonce: string; finishUri: string; interactRef?: string };
  createdAt: Date;
}

interface Token {
  value: string;
  grantId: string;
  access: AccessItem[];
  expiresAt: Date;
}

interface IncomingPayment {
  id: string;
  wallet: string;
  incomingAmount?: Amount;
  received: bigint;
  assetCode: string;
  assetScale: number;
  completed: boolean;
  expiresAt?: string;
  metadata?: Record<string, unknown>;
  createdAt: string;
  ilpAddress: string;
  sharedSecret: string;
}

interface Quote {
  id: string;
  wallet: string;
  receiver: string;
  debitAmount: Amount;
  receiveAmount: Amount;
  createdAt: string;
  expiresAt: string;
  used: boolean;
}

interface OutgoingPayment {
  id: string;
  wallet: string;
  quoteId: string;
  receiver: string;
  debitAmount: Amount;
  receiveAmount: Amount;
  sent: bigint;
  failed: boolean;
  metadata?: Record<string, unknown>;
  createdAt: string;
  grantId: string;
}

export interface SandboxState {
  wallets: Map<string, Wallet>;
  grants: Map<string, Grant>;
  tokens: Map<string, Token>;
  incoming: Map<string, IncomingPayment>;
  quotes: Map<string, Quote>;
  outgoing: Map<string, OutgoingPayment>;
  /** Requests refused for a bad or missing signature (tests assert on it). */
  rejectedSignatures: number;
}

const RESERVED = new Set(["auth", "interact", "incoming-payments", "quotes", "outgoing-payments", "favicon.ico"]);
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const MAX_BODY = 64 * 1024;
const SIGNATURE_MAX_AGE_S = 300;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
  }
}

const token = () => randomBytes(20).toString("base64url");

export async function startOpenPaymentsSandbox(opts: SandboxOptions = {}): Promise<OpenPaymentsSandbox> {
  const host = opts.host ?? "127.0.0.1";
  const { privateKey } = generateKeyPairSync("ed25519");
  const keyId = `satchel-sandbox-${randomUUID()}`;
  const webhookSecret = opts.webhookSecret ?? randomBytes(24).toString("base64url");
  const state: SandboxState = {
    wallets: new Map(),
    grants: new Map(),
    tokens: new Map(),
    incoming: new Map(),
    quotes: new Map(),
    outgoing: new Map(),
    rejectedSignatures: 0,
  };

  let port = 0;
  const httpBase = () => `http://${host}:${port}`;
  const origin = () => `https://${host}:${port}`;
  const authServer = () => `${origin()}/auth`;
  const walletUrl = (name: string) => `${origin()}/${name}`;

  const wallet = (name: string): Wallet => {
    let w = state.wallets.get(name);
    if (!w) {
      w = { name, assetCode: "USD", assetScale: 2, balance: opts.buyerBalance ?? 100_000n, keys: [] };
      state.wallets.set(name, w);
    }
    return w;
  };
  state.wallets.set("merchant", { name: "merchant", assetCode: "USD", assetScale: 2, balance: 0n, keys: [generateJwk({ privateKey, keyId })] });

  /** The wallet named by one of this sandbox's wallet address URLs, or null. */
  const walletFromUrl = (url: unknown): Wallet | null => {
    if (typeof url !== "string") return null;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return null;
    }
    if (u.host !== `${host}:${port}`) return null;
    const name = u.pathname.replace(/^\/+|\/+$/g, "");
    return NAME.test(name) && !RESERVED.has(name) ? wallet(name) : null;
  };

  const walletDoc = (w: Wallet) => ({
    id: walletUrl(w.name),
    publicName: w.name === "merchant" ? "Satchel (sandbox merchant)" : `${w.name} (sandbox buyer)`,
    assetCode: w.assetCode,
    assetScale: w.assetScale,
    authServer: authServer(),
    resourceServer: origin(),
  });

  const amount = (value: bigint, a: { assetCode: string; assetScale: number }): Amount => ({
    value: value.toString(),
    assetCode: a.assetCode,
    assetScale: a.assetScale,
  });

  const incomingJson = (p: IncomingPayment, withMethods: boolean) => ({
    id: p.id,
    walletAddress: p.wallet,
    completed: p.completed,
    ...(p.incomingAmount ? { incomingAmount: p.incomingAmount } : {}),
    receivedAmount: amount(p.received, p),
    ...(p.expiresAt ? { expiresAt: p.expiresAt } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
    createdAt: p.createdAt,
    ...(withMethods ? { methods: p.completed ? [] : [{ type: "ilp", ilpAddress: p.ilpAddress, sharedSecret: p.sharedSecret }] } : {}),
  });

  const quoteJson = (q: Quote) => ({
    id: q.id,
    walletAddress: q.wallet,
    receiver: q.receiver,
    receiveAmount: q.receiveAmount,
    debitAmount: q.debitAmount,
    method: "ilp",
    createdAt: q.createdAt,
    expiresAt: q.expiresAt,
  });

  const outgoingJson = (o: OutgoingPayment) => ({
    id: o.id,
    walletAddress: o.wallet,
    quoteId: o.quoteId,
    failed: o.failed,
    receiver: o.receiver,
    receiveAmount: o.receiveAmount,
    debitAmount: o.debitAmount,
    sentAmount: amount(o.sent, o.receiveAmount),
    ...(o.metadata ? { metadata: o.metadata } : {}),
    createdAt: o.createdAt,
  });

  // ---- signatures --------------------------------------------------------------------

  async function verifySigned(req: IncomingMessage, body: string, keys: JWK[]): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const request = { method: req.method ?? "GET", url: `http://${req.headers.host}${req.url}`, headers, body: body || undefined };
    const sigInput = headers["signature-input"];
    const fail = (why: string): never => {
      state.rejectedSignatures++;
      throw new HttpError(401, "invalid_client", `HTTP signature check failed: ${why}`);
    };
    if (!sigInput || !headers.signature) fail("the request is not signed (Signature and Signature-Input headers)");
    if (!validateSignatureHeaders(request)) fail("Signature-Input does not cover the required components or Content-Digest does not match the body");
    const created = Number(/;created=(\d+)/.exec(sigInput!)?.[1] ?? NaN);
    if (!Number.isFinite(created) || Math.abs(Date.now() / 1000 - created) > SIGNATURE_MAX_AGE_S) fail("signature too old or without a created time");
    const kid = getKeyId(sigInput!);
    const key = keys.find((k) => k.kid === kid);
    if (!key) fail(`unknown key id ${JSON.stringify(kid)}`);
    if (!(await validateSignature(key!, request))) fail("signature does not verify with the client's key");
  }

  function bearer(req: IncomingMessage): Token {
    const m = /^GNAP\s+(\S+)$/.exec(req.headers.authorization ?? "");
    const t = m ? state.tokens.get(m[1]!) : undefined;
    if (!t || t.expiresAt < new Date()) throw new HttpError(401, "invalid_token", "Missing, unknown or expired GNAP access token.");
    return t;
  }

  async function authorize(
    req: IncomingMessage,
    body: string,
    type: string,
    action: string,
    wallet?: string,
  ): Promise<{ token: Token; grant: Grant; item: AccessItem }> {
    const t = bearer(req);
    const grant = state.grants.get(t.grantId);
    if (!grant) throw new HttpError(401, "invalid_token", "The grant of this token no longer exists.");
    await verifySigned(req, body, [grant.clientKey]);
    const item = t.access.find(
      (a) => a.type === type && a.actions.includes(action) && (!wallet || !a.identifier || a.identifier.replace(/\/$/, "") === wallet.replace(/\/$/, "")),
    );
    if (!item) throw new HttpError(403, "insufficient_grant", `The access token does not allow ${action} on ${type}${wallet ? ` for ${wallet}` : ""}.`);
    return { token: t, grant, item };
  }

  // ---- auth server -------------------------------------------------------------------

  async function grantRequest(req: IncomingMessage, raw: string, body: Record<string, unknown>) {
    const clientField = body.client;
    const clientUrl = typeof clientField === "string" ? clientField : (clientField as { walletAddress?: string } | undefined)?.walletAddress;
    const client = walletFromUrl(clientUrl);
    if (!client || client.keys.length === 0)
      throw new HttpError(400, "invalid_client", "The client wallet address is unknown to this sandbox or publishes no keys.");
    await verifySigned(req, raw, client.keys);
    const access = (body.access_token as { access?: AccessItem[] } | undefined)?.access;
    if (!Array.isArray(access) || access.length === 0) throw new HttpError(400, "invalid_request", "access_token.access is required.");
    for (const a of access) {
      if (!["incoming-payment", "quote", "outgoing-payment"].includes(a.type) || !Array.isArray(a.actions) || a.actions.length === 0)
        throw new HttpError(400, "invalid_request", `Unsupported access item ${JSON.stringify(a)}.`);
    }
    const needsInteraction = access.some((a) => a.type === "outgoing-payment");
    const grant: Grant = {
      id: randomUUID(),
      clientWallet: walletUrl(client.name),
      clientKey: client.keys[0]!,
      access,
      status: "pending",
      continueToken: token(),
      createdAt: new Date(),
    };
    if (client.keys.length > 1) grant.clientKey = client.keys.find((k) => k.kid === getKeyId(String(req.headers["signature-input"]))) ?? client.keys[0]!;
    state.grants.set(grant.id, grant);
    const cont = { access_token: { value: grant.continueToken }, uri: `${authServer()}/continue/${grant.id}` };
    if (!needsInteraction) {
      grant.status = "finalized";
      return { access_token: issueToken(grant), continue: cont };
    }
    const interact = body.interact as { start?: string[]; finish?: { method?: string; uri?: string; nonce?: string } } | undefined;
    const outgoing = access.find((a) => a.type === "outgoing-payment")!;
    if (!outgoing.identifier || !walletFromUrl(outgoing.identifier))
      throw new HttpError(400, "invalid_request", "An outgoing-payment grant needs the identifier of a wallet in this sandbox.");
    if (!interact?.start?.includes("redirect") || interact.finish?.method !== "redirect" || !interact.finish.uri || !interact.finish.nonce)
      throw new HttpError(400, "invalid_interaction", 'Outgoing payments need interact.start ["redirect"] and a redirect finish with uri and nonce.');
    grant.interact = { id: token(), clientNonce: interact.finish.nonce, interactNonce: randomUUID(), finishUri: interact.finish.uri };
    return { interact: { redirect: `${httpBase()}/interact/${grant.interact.id}`, finish: grant.interact.interactNonce }, continue: { ...cont, wait: 1 } };
  }

  function issueToken(grant: Grant) {
    const t: Token = { value: token(), grantId: grant.id, access: grant.access, expiresAt: new Date(Date.now() + 600_000) };
    state.tokens.set(t.value, t);
    return { value: t.value, manage: `${authServer()}/token/${randomUUID()}`, expires_in: 600, access: grant.access };
  }

  async function grantContinue(req: IncomingMessage, raw: string, body: Record<string, unknown>, grantId: string) {
    const grant = state.grants.get(grantId);
    const m = /^GNAP\s+(\S+)$/.exec(req.headers.authorization ?? "");
    if (!grant || !m || m[1] !== grant.continueToken) throw new HttpError(401, "invalid_continuation", "Unknown grant or wrong continuation token.");
    await verifySigned(req, raw, [grant.clientKey]);
    if (grant.status === "rejected") throw new HttpError(401, "request_denied", "The wallet owner rejected this grant.");
    if (grant.status !== "approved" || !grant.interact?.interactRef) throw new HttpError(400, "too_fast", "The grant has not been approved yet.");
    if (body.interact_ref !== grant.interact.interactRef) throw new HttpError(401, "invalid_continuation", "interact_ref does not match.");
    grant.status = "finalized";
    grant.continueToken = token();
    return { access_token: issueToken(grant), continue: { access_token: { value: grant.continueToken }, uri: `${authServer()}/continue/${grant.id}` } };
  }

  function interactionPage(interactId: string): string {
    const grant = [...state.grants.values()].find((g) => g.interact?.id === interactId);
    if (grant?.status !== "pending") throw new HttpError(404, "unknown_request", "This approval request does not exist or was already answered.");
    const outgoing = grant.access.find((a) => a.type === "outgoing-payment")!;
    const limit = outgoing.limits?.debitAmount;
    const shown = limit ? `${formatAmount(limit)}` : "an amount set by the merchant";
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>Sandbox wallet — approve payment</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#0f172a}.banner{background:#fef3c7;border:1px solid #f59e0b;border-radius:.5rem;padding:.75rem 1rem;font-weight:600}dl{display:grid;grid-template-columns:auto 1fr;gap:.5rem 1rem}dt{color:#475569}dd{margin:0;word-break:break-all}form{display:inline}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:1px solid #cbd5e1;cursor:pointer;margin-right:.5rem}.ok{background:#4f46e5;color:#fff;border-color:#4f46e5}</style></head>
<body><main>
<p class="banner" role="note">Sandbox — not real money. This page stands in for the buyer's wallet.</p>
<h1>Approve this payment?</h1>
<dl><dt>Pay</dt><dd>${esc(shown)}</dd><dt>From wallet</dt><dd>${esc(outgoing.identifier ?? "")}</dd><dt>Requested by</dt><dd>${esc(grant.clientWallet)}</dd></dl>
<p>
<form method="post" action="/interact/${esc(interactId)}/approve"><button class="ok" type="submit">Approve</button></form>
<form method="post" action="/interact/${esc(interactId)}/reject"><button type="submit">Reject</button></form>
</p></main></body></html>`;
  }

  function interactionDecision(interactId: string, approve: boolean): string {
    const grant = [...state.grants.values()].find((g) => g.interact?.id === interactId);
    if (!grant?.interact || grant.status !== "pending")
      throw new HttpError(404, "unknown_request", "This approval request does not exist or was already answered.");
    const finish = new URL(grant.interact.finishUri);
    if (approve) {
      grant.status = "approved";
      grant.interact.interactRef = randomUUID();
      const hash = createHash("sha256")
        .update(`${grant.interact.clientNonce}\n${grant.interact.interactNonce}\n${grant.interact.interactRef}\n${authServer()}`)
        .digest("base64");
      finish.searchParams.set("hash", hash);
      finish.searchParams.set("interact_ref", grant.interact.interactRef);
    } else {
      grant.status = "rejected";
      finish.searchParams.set("result", "grant_rejected");
    }
    return finish.toString();
  }

  // ---- resource server ---------------------------------------------------------------

  async function createIncoming(req: IncomingMessage, raw: string, body: Record<string, unknown>) {
    const w = walletFromUrl(body.walletAddress);
    if (!w) throw new HttpError(400, "invalid_request", "walletAddress must be a wallet of this sandbox.");
    await authorize(req, raw, "incoming-payment", "create", walletUrl(w.name));
    const inc = body.incomingAmount as Amount | undefined;
    if (inc && (inc.assetCode !== w.assetCode || inc.assetScale !== w.assetScale || !/^[1-9]\d{0,18}$/.test(inc.value)))
      throw new HttpError(400, "invalid_request", `incomingAmount must be a positive amount in ${w.assetCode} scale ${w.assetScale}.`);
    if (
      body.expiresAt !== undefined &&
      (typeof body.expiresAt !== "string" || Number.isNaN(Date.parse(body.expiresAt)) || Date.parse(body.expiresAt) <= Date.now())
    )
      throw new HttpError(400, "invalid_request", "expiresAt must be a date-time in the future.");
    const id = randomUUID();
    const p: IncomingPayment = {
      id: `${origin()}/incoming-payments/${id}`,
      wallet: walletUrl(w.name),
      incomingAmount: inc,
      received: 0n,
      assetCode: w.assetCode,
      assetScale: w.assetScale,
      completed: false,
      expiresAt: typeof body.expiresAt === "string" ? new Date(body.expiresAt).toISOString() : new Date(Date.now() + 86_400_000).toISOString(),
      metadata: body.metadata && typeof body.metadata === "object" ? (body.metadata as Record<string, unknown>) : undefined,
      createdAt: new Date().toISOString(),
      ilpAddress: `test.satchel-sandbox.${id.replace(/-/g, "")}`,
      sharedSecret: randomBytes(32).toString("base64url"),
    };
    state.incoming.set(p.id, p);
    return incomingJson(p, true);
  }

  async function getIncoming(req: IncomingMessage, id: string) {
    const p = state.incoming.get(`${origin()}/incoming-payments/${id}`);
    if (!p) throw new HttpError(404, "not_found", "Incoming payment not found.");
    if (!req.headers.authorization) return { receivedAmount: amount(p.received, p), authServer: authServer() };
    await authorize(req, "", "incoming-payment", "read", p.wallet);
    return incomingJson(p, true);
  }

  async function createQuote(req: IncomingMessage, raw: string, body: Record<string, unknown>) {
    const w = walletFromUrl(body.walletAddress);
    if (!w) throw new HttpError(400, "invalid_request", "walletAddress must be a wallet of this sandbox.");
    await authorize(req, raw, "quote", "create");
    if (body.method !== "ilp") throw new HttpError(400, "invalid_request", 'method must be "ilp".');
    const receiver = state.incoming.get(String(body.receiver));
    if (!receiver) throw new HttpError(400, "invalid_receiver", "The receiver is not an incoming payment this sandbox can pay.");
    if (receiver.completed || (receiver.expiresAt && Date.parse(receiver.expiresAt) <= Date.now()))
      throw new HttpError(400, "invalid_receiver", "The incoming payment is completed or expired.");
    if (!receiver.incomingAmount) throw new HttpError(400, "invalid_request", "Give debitAmount or receiveAmount: the receiver has no incomingAmount.");
    if (receiver.assetCode !== w.assetCode || receiver.assetScale !== w.assetScale)
      throw new HttpError(400, "invalid_request", "The sandbox does not convert between assets.");
    const due = BigInt(receiver.incomingAmount.value) - receiver.received;
    const q: Quote = {
      id: `${origin()}/quotes/${randomUUID()}`,
      wallet: walletUrl(w.name),
      receiver: receiver.id,
      receiveAmount: amount(due, receiver),
      debitAmount: amount(due, w),
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      used: false,
    };
    state.quotes.set(q.id, q);
    return quoteJson(q);
  }

  async function createOutgoing(req: IncomingMessage, raw: string, body: Record<string, unknown>) {
    const w = walletFromUrl(body.walletAddress);
    if (!w) throw new HttpError(400, "invalid_request", "walletAddress must be a wallet of this sandbox.");
    const { grant, item } = await authorize(req, raw, "outgoing-payment", "create", walletUrl(w.name));
    const q = state.quotes.get(String(body.quoteId));
    if (!q || q.wallet !== walletUrl(w.name)) throw new HttpError(400, "invalid_quote", "Unknown quote for this wallet.");
    if (q.used || Date.parse(q.expiresAt) <= Date.now()) throw new HttpError(400, "invalid_quote", "The quote was used or has expired.");
    const debit = BigInt(q.debitAmount.value);
    const spent = [...state.outgoing.values()].filter((o) => o.grantId === grant.id && !o.failed).reduce((s, o) => s + BigInt(o.debitAmount.value), 0n);
    if (item.limits?.debitAmount && spent + debit > BigInt(item.limits.debitAmount.value))
      throw new HttpError(403, "insufficient_grant", "The payment exceeds the grant's debitAmount limit.");
    q.used = true;
    const o: OutgoingPayment = {
      id: `${origin()}/outgoing-payments/${randomUUID()}`,
      wallet: walletUrl(w.name),
      quoteId: q.id,
      receiver: q.receiver,
      debitAmount: q.debitAmount,
      receiveAmount: q.receiveAmount,
      sent: 0n,
      failed: false,
      metadata: body.metadata && typeof body.metadata === "object" ? (body.metadata as Record<string, unknown>) : undefined,
      createdAt: new Date().toISOString(),
      grantId: grant.id,
    };
    state.outgoing.set(o.id, o);
    // "Send" at once: debit the buyer, credit the receiver, complete it when fully paid.
    const receiver = state.incoming.get(q.receiver);
    if (!receiver || receiver.completed || w.balance < debit) o.failed = true;
    else {
      w.balance -= debit;
      const got = BigInt(q.receiveAmount.value);
      receiver.received += got;
      o.sent = got;
      const merchant = walletFromUrl(receiver.wallet);
      if (merchant) merchant.balance += got;
      if (receiver.incomingAmount && receiver.received >= BigInt(receiver.incomingAmount.value)) {
        receiver.completed = true;
        void sendWebhook("incoming_payment.completed", receiver);
      }
    }
    return { ...outgoingJson(o), grantSpentDebitAmount: amount(spent + (o.failed ? 0n : debit), o.debitAmount) };
  }

  async function sendWebhook(type: string, p: IncomingPayment): Promise<void> {
    if (!opts.webhookUrl) return;
    const event = { id: randomUUID(), type, data: { ...incomingJson(p, false), walletAddressId: p.wallet } };
    try {
      await fetch(opts.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "Rafiki-Signature": signRafikiWebhook(event, webhookSecret) },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      // Like Rafiki, a lost webhook is only a missed hint: the app polls the incoming payment.
    }
  }

  // ---- routing -----------------------------------------------------------------------

  async function route(req: IncomingMessage, raw: string): Promise<{ status: number; json?: unknown; html?: string; location?: string }> {
    const url = new URL(req.url ?? "/", httpBase());
    const parts = url.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";
    const body = (): Record<string, unknown> => {
      if (!raw) return {};
      try {
        const v = JSON.parse(raw) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
      } catch {}
      throw new HttpError(400, "invalid_request", "The body must be a JSON object.");
    };
    const [a, b, c] = parts;
    if (a === "auth" && method === "POST" && parts.length === 1) return { status: 200, json: await grantRequest(req, raw, body()) };
    if (a === "auth" && b === "continue" && c && method === "POST") return { status: 200, json: await grantContinue(req, raw, body(), c) };
    if (a === "interact" && b && parts.length === 2 && method === "GET") return { status: 200, html: interactionPage(b) };
    if (a === "interact" && b && (c === "approve" || c === "reject") && method === "POST")
      return { status: 303, location: interactionDecision(b, c === "approve") };
    if (a === "incoming-payments" && parts.length === 1 && method === "POST") return { status: 201, json: await createIncoming(req, raw, body()) };
    if (a === "incoming-payments" && b && parts.length === 2 && method === "GET") return { status: 200, json: await getIncoming(req, b) };
    if (a === "quotes" && parts.length === 1 && method === "POST") return { status: 201, json: await createQuote(req, raw, body()) };
    if (a === "outgoing-payments" && parts.length === 1 && method === "POST") return { status: 201, json: await createOutgoing(req, raw, body()) };
    if (a === "outgoing-payments" && b && parts.length === 2 && method === "GET") {
      const o = state.outgoing.get(`${origin()}/outgoing-payments/${b}`);
      if (!o) throw new HttpError(404, "not_found", "Outgoing payment not found.");
      await authorize(req, "", "outgoing-payment", "read", o.wallet);
      return { status: 200, json: outgoingJson(o) };
    }
    if (a && NAME.test(a) && !RESERVED.has(a) && method === "GET") {
      if (parts.length === 1) return { status: 200, json: walletDoc(wallet(a)) };
      if (parts.length === 2 && b === "jwks.json") return { status: 200, json: { keys: wallet(a).keys } };
    }
    throw new HttpError(404, "not_found", "Not found.");
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    try {
      const raw = await readBody(req);
      const out = await route(req, raw);
      if (out.location) {
        res.writeHead(out.status, { location: out.location }).end();
      } else if (out.html !== undefined) {
        res.writeHead(out.status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(out.html);
      } else {
        res.writeHead(out.status, { "content-type": "application/json" }).end(JSON.stringify(out.json));
      }
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, "internal_error", err instanceof Error ? err.message : String(err));
      if (!res.headersSent)
        res.writeHead(e.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: e.code, description: e.message } }));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: httpBase(),
    origin: origin(),
    merchantWalletAddress: walletUrl("merchant"),
    walletAddress: (name) => walletUrl(name),
    keyId,
    privateKey,
    webhookSecret,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, "invalid_request", "Body too large."));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function formatAmount(a: Amount): string {
  const v = BigInt(a.value);
  if (a.assetScale === 0) return `${v} ${a.assetCode}`;
  const scale = 10n ** BigInt(a.assetScale);
  return `${v / scale}.${(v % scale).toString().padStart(a.assetScale, "0")} ${a.assetCode}`;
}
