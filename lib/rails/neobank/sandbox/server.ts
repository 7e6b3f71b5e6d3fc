import { type KeyObject, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { formatMoney } from "@/lib/format";
import { markSandboxModule } from "@/lib/rails/sandbox-marker";
import { decimalToMinor, type GatewayStatus, minorToDecimal, type PaymentRequest, paymentRequest, registrationRequest } from "../protocol";
import { API_KEY_HEADER, REQUEST_SIGNATURE_HEADER, signWebhook, verifyRequestBody } from "../signing";

markSandboxModule("SATCHEL_SANDBOX_MODULE:lib/rails/neobank/sandbox/server.ts");

// A fake NEO Bank / Bill Bitts gateway for local development and tests, speaking the wire
// format of ../protocol.ts: it checks our API key and verifies the RSA signature of every
// request with our public key, creates profiles (CPRNs) and payments, serves a payment page
// where the "buyer" presses Pay or Decline, then sends webhooks signed exactly as the real
// gateway does (X-Signature: t=…,v1=…) to the payment's callback_url — PENDING, SUCCESS,
// SETTLED, or FAILED — and sends the buyer back to the return_url. It holds everything in
// memory. Whether the app may ever point at it is decided by lib/rails/neobank/sandbox/index.ts.

export interface SandboxPayment {
  txId: string;
  request: PaymentRequest;
  status: GatewayStatus;
  failureReason: string | null;
  createdAt: Date;
  /** Webhook deliveries attempted, in order (tests inspect them). */
  deliveries: { status: string; httpStatus: number | null; at: Date }[];
}

export interface NeobankSandbox {
  /** Base URL of the API, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  payments: Map<string, SandboxPayment>;
  registrations: Map<string, { cprn: string; externalId: string; email: string; web3: string | null }>;
  /** Requests refused for a bad key or signature (tests assert this stays 0 for ours). */
  refused: { count: number; last: string | null };
  /** What the buyer does on the payment page, without a browser. */
  complete(txId: string, outcome: "pay" | "decline"): Promise<void>;
  /** Sends one signed webhook for the payment's current data with the given status (sets it). */
  sendWebhook(txId: string, status: GatewayStatus, opts?: { reason?: string; eventId?: string }): Promise<number | null>;
  /** The exact body + header it would send (tests replay and tamper with them). */
  signedWebhook(txId: string, status: GatewayStatus, opts?: { reason?: string; eventId?: string; timestamp?: number }): { body: string; signature: string };
  close(): Promise<void>;
}

export interface SandboxOptions {
  apiKey: string;
  /** Our public key: every request's X-Request-Signature must verify with it. */
  publicKey: KeyObject;
  webhookSecret: string;
  port?: number;
  host?: string;
  /** Attempts per webhook delivery (the first awaited, retries in the background). Default 4. */
  deliveryAttempts?: number;
}

const MAX_BODY = 64 * 1024;

export async function startNeobankSandbox(opts: SandboxOptions): Promise<NeobankSandbox> {
  const payments = new Map<string, SandboxPayment>();
  const registrations = new Map<string, { cprn: string; externalId: string; email: string; web3: string | null }>();
  const idempotent = new Map<string, { status: number; body: unknown }>();
  const refused = { count: 0, last: null as string | null };
  let base = "";
  const attempts = opts.deliveryAttempts ?? 4;

  const webhookFor = (p: SandboxPayment, status: GatewayStatus, o: { reason?: string; eventId?: string; timestamp?: number } = {}) => {
    const body = JSON.stringify({
      event_id: o.eventId ?? `evt_${randomBytes(10).toString("hex")}`,
      tx_id: p.txId,
      status,
      amount: minorToDecimal(BigInt(p.request.amount), p.request.currency),
      amount_minor: p.request.amount,
      currency: p.request.currency,
      reference: p.request.reference,
      cprn: p.request.cprn,
      ...(status === "FAILED" ? { failure_reason: o.reason ?? p.failureReason ?? "Declined by the account holder" } : {}),
      created_at: new Date().toISOString(),
    });
    return { body, signature: signWebhook(body, opts.webhookSecret, o.timestamp) };
  };

  const postOnce = async (url: string, body: string, signature: string): Promise<number | null> => {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-signature": signature, "user-agent": "NEOBank-Sandbox-Webhooks/1.0" },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status;
    } catch {
      return null;
    }
  };

  // Like a real gateway: the first attempt now, then retries with backoff until a 2xx. A
  // retry re-signs with a fresh timestamp but keeps the event id, so it is the same event.
  const deliver = async (p: SandboxPayment, status: GatewayStatus, o: { reason?: string; eventId?: string } = {}): Promise<number | null> => {
    const eventId = o.eventId ?? `evt_${randomBytes(10).toString("hex")}`;
    const send = async () => {
      const { body, signature } = webhookFor(p, status, { ...o, eventId });
      const code = await postOnce(p.request.callback_url, body, signature);
      p.deliveries.push({ status, httpStatus: code, at: new Date() });
      return code;
    };
    const first = await send();
    if (first === null || first >= 300) {
      void (async () => {
        for (let i = 1; i < attempts; i++) {
          await new Promise((r) => setTimeout(r, 500 * 2 ** i).unref?.());
          const code = await send();
          if (code !== null && code < 300) return;
        }
      })();
    }
    return first;
  };

  const setStatus = (p: SandboxPayment, status: GatewayStatus, reason?: string) => {
    p.status = status;
    if (status === "FAILED") p.failureReason = reason ?? p.failureReason ?? "Declined by the account holder";
  };

  const complete = async (txId: string, outcome: "pay" | "decline") => {
    const p = payments.get(txId);
    if (!p) throw new Error(`sandbox: no payment ${txId}`);
    if (p.status !== "CREATED") return;
    if (outcome === "decline") {
      setStatus(p, "FAILED", "Declined by the account holder");
      await deliver(p, "FAILED");
      return;
    }
    for (const s of ["PENDING", "SUCCESS", "SETTLED"] as const) {
      setStatus(p, s);
      await deliver(p, s);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: { code: "internal", message: String((err as Error).message ?? err) } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const raw = await readBody(req);
    if (raw === null) return json(res, 413, { error: { code: "too_large", message: "body too large" } });

    // The buyer-facing page (no API key: it is the buyer's browser).
    const pay = /^\/pay\/([A-Za-z0-9_-]+)$/.exec(path);
    if (pay) {
      const p = payments.get(pay[1]!);
      if (!p)
        return html(res, 404, page("Payment not found", "<p>This sandbox payment does not exist (the sandbox forgets everything when the app restarts).</p>"));
      if (req.method === "GET") return html(res, 200, paymentPage(p));
      if (req.method === "POST") {
        const action = new URLSearchParams(raw).get("action");
        if (action !== "pay" && action !== "decline") return html(res, 400, page("Bad request", "<p>Choose Pay or Decline.</p>"));
        if (p.request.expires_at && new Date(p.request.expires_at) < new Date() && p.status === "CREATED") {
          setStatus(p, "FAILED", "The payment request expired");
          await deliver(p, "FAILED");
        } else await complete(p.txId, action);
        res.writeHead(303, { location: p.request.return_url });
        return res.end();
      }
      return json(res, 405, { error: { code: "method_not_allowed", message: "GET or POST" } });
    }

    // The API: our key and our RSA signature of the exact body, on every request.
    if (req.headers[API_KEY_HEADER] !== opts.apiKey) return refuse(res, 401, "invalid_api_key", "unknown or missing X-API-Key");
    const sig = req.headers[REQUEST_SIGNATURE_HEADER];
    if (typeof sig !== "string" || !verifyRequestBody(raw, sig, opts.publicKey))
      return refuse(res, 401, "invalid_signature", "X-Request-Signature does not verify against the registered public key");

    const key = req.method === "POST" ? req.headers["idempotency-key"] : undefined;
    const idemKey = typeof key === "string" ? `${path}:${key}` : null;
    if (idemKey && idempotent.has(idemKey)) {
      const prev = idempotent.get(idemKey)!;
      return json(res, prev.status, prev.body);
    }
    const remember = (status: number, body: unknown) => {
      if (idemKey && status < 500) idempotent.set(idemKey, { status, body });
      json(res, status, body);
    };

    if (path === "/v1/registrations" && req.method === "POST") {
      const body = registrationRequest.safeParse(parse(raw));
      if (!body.success) return remember(422, { error: { code: "invalid_request", message: body.error.issues[0]?.message ?? "invalid" } });
      const cprn = `CPRN-${randomBytes(5).toString("hex").toUpperCase()}`;
      registrations.set(cprn, { cprn, externalId: body.data.external_id, email: body.data.email, web3: body.data.web3_wallet_address ?? null });
      return remember(201, { cprn, status: "success", web3_wallet_address: body.data.web3_wallet_address ?? null });
    }
    const reg = /^\/v1\/registrations\/([^/]+)$/.exec(path);
    if (reg && req.method === "GET") {
      const r = registrations.get(decodeURIComponent(reg[1]!));
      if (!r) return json(res, 404, { error: { code: "cprn_not_found", message: "no such CPRN" } });
      return json(res, 200, { cprn: r.cprn, status: "active", web3_wallet_address: r.web3 });
    }
    if (path === "/v1/payments" && req.method === "POST") {
      const body = paymentRequest.safeParse(parse(raw));
      if (!body.success)
        return remember(422, { error: { code: "invalid_request", message: `${body.error.issues[0]?.path.join(".")}: ${body.error.issues[0]?.message}` } });
      if (!registrations.has(body.data.cprn)) return remember(404, { error: { code: "cprn_not_found", message: `no such CPRN ${body.data.cprn}` } });
      // Compat mode sends the amount as a decimal string ("20.00"); the sandbox keeps minor units.
      if (typeof body.data.amount === "string") {
        const minor = decimalToMinor(body.data.amount, body.data.currency);
        if (minor === null || minor <= 0n) return remember(422, { error: { code: "invalid_request", message: "amount: not a valid amount" } });
        body.data.amount = Number(minor);
      }
      const txId = `TXN-${randomBytes(8).toString("hex").toUpperCase()}`;
      payments.set(txId, { txId, request: body.data, status: "CREATED", failureReason: null, createdAt: new Date(), deliveries: [] });
      return remember(201, { tx_id: txId, status: "CREATED", payment_url: `${base}/pay/${txId}` });
    }
    const tx = /^\/v1\/payments\/([^/]+)$/.exec(path);
    if (tx && req.method === "GET") {
      const p = payments.get(decodeURIComponent(tx[1]!));
      if (!p) return json(res, 404, { error: { code: "payment_not_found", message: "no such payment" } });
      return json(res, 200, {
        tx_id: p.txId,
        status: p.status,
        amount: minorToDecimal(BigInt(p.request.amount), p.request.currency),
        amount_minor: p.request.amount,
        currency: p.request.currency,
        reference: p.request.reference,
        cprn: p.request.cprn,
        failure_reason: p.status === "FAILED" ? p.failureReason : null,
      });
    }
    return json(res, 404, { error: { code: "not_found", message: `${req.method} ${path} is not part of the API` } });
  }

  function refuse(res: ServerResponse, status: number, code: string, message: string) {
    refused.count++;
    refused.last = code;
    json(res, status, { error: { code, message } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  base = `http://${opts.host ?? "127.0.0.1"}:${addr.port}`;

  return {
    url: base,
    payments,
    registrations,
    refused,
    complete,
    sendWebhook: async (txId, status, o) => {
      const p = payments.get(txId);
      if (!p) throw new Error(`sandbox: no payment ${txId}`);
      setStatus(p, status, o?.reason);
      return deliver(p, status, o);
    },
    signedWebhook: (txId, status, o) => {
      const p = payments.get(txId);
      if (!p) throw new Error(`sandbox: no payment ${txId}`);
      return webhookFor(p, status, o);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, content: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${esc(title)} · NEO Bank sandbox</title>
<style>body{font-family:system-ui,sans-serif;background:#f1f5f9;margin:0;padding:2rem 1rem;color:#0f172a}main{max-width:28rem;margin:0 auto;background:#fff;border-radius:1rem;padding:1.5rem;box-shadow:0 1px 3px #0002}
.banner{background:#fef3c7;border:1px dashed #d97706;color:#78350f;border-radius:.5rem;padding:.5rem .75rem;font-weight:600}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}dt{color:#475569}dd{margin:0;font-weight:600}
.row{display:flex;gap:.75rem;margin-top:1.25rem}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:1px solid #cbd5e1;background:#fff;cursor:pointer}button.pay{background:#1d4ed8;color:#fff;border-color:#1d4ed8}</style></head>
<body><main><p class="banner" role="note">Sandbox — not real money</p><h1>${esc(title)}</h1>${content}</main></body></html>`;
}

function paymentPage(p: SandboxPayment): string {
  const amount = formatMoney(BigInt(p.request.amount), p.request.currency);
  const details = `<dl><dt>Amount</dt><dd>${esc(amount)}</dd><dt>For</dt><dd>${esc(p.request.description)}</dd><dt>Reference</dt><dd>${esc(p.request.reference)}</dd><dt>Transaction</dt><dd>${esc(p.txId)}</dd></dl>`;
  if (p.status !== "CREATED")
    return page("NEO Bank payment", `${details}<p>This payment is ${esc(p.status)}.</p><p><a href="${esc(p.request.return_url)}">Back to the merchant</a></p>`);
  return page(
    "NEO Bank payment",
    `${details}<form method="post" class="row"><button class="pay" type="submit" name="action" value="pay">Pay</button><button type="submit" name="action" value="decline">Decline</button></form>`,
  );
}
