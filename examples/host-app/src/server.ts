// The example host application: an app of its own that sells Satchel credits to its users and
// spends them. It knows Satchel only through the API: a client generated from Satchel's OpenAPI
// document (openapi-typescript + openapi-fetch) and webhooks verified with the standardwebhooks
// package. Nothing here imports Satchel's code.
//
//   SATCHEL_URL             where Satchel runs (default http://localhost:3000)
//   SATCHEL_API_KEY         an API key (scopes read, checkouts:write, credits:write, webhooks:write)
//   SATCHEL_WEBHOOK_SECRET  the whsec_ secret of a webhook endpoint pointing at this app; unset,
//                           the app registers its own endpoint at start and keeps its secret
//   PORT                    this app's port (default 3100); HOST_APP_URL its public URL
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import createClient from "openapi-fetch";
import { Webhook } from "standardwebhooks";
import type { components, paths } from "./satchel-api";

type Customer = components["schemas"]["Customer"];
type SatchelEvent = components["schemas"]["Event"];

const SATCHEL_URL = (process.env.SATCHEL_URL ?? "http://localhost:3000").replace(/\/$/, "");
const API_KEY = process.env.SATCHEL_API_KEY;
const PORT = Number(process.env.PORT ?? 3100);
const HOST_URL = (process.env.HOST_APP_URL ?? `http://localhost:${PORT}`).replace(/\/$/, "");
if (!API_KEY) {
  console.error("Set SATCHEL_API_KEY (create one on Satchel's /admin/developers, or start this app with `npm run example:host` from Satchel's folder).");
  process.exit(2);
}

const satchel = createClient<paths>({ baseUrl: `${SATCHEL_URL}/api/v1`, headers: { Authorization: `Bearer ${API_KEY}` } });

let webhook: Webhook | undefined = process.env.SATCHEL_WEBHOOK_SECRET ? new Webhook(process.env.SATCHEL_WEBHOOK_SECRET) : undefined;

/** Webhook events received and verified, newest first, deduplicated on webhook-id. */
const received: { webhookId: string; event: SatchelEvent; receivedAt: Date }[] = [];
let rejected = 0;

/** Registers this app's webhook endpoint with Satchel (when no secret was given), retrying until Satchel answers. */
async function registerEndpoint(): Promise<void> {
  for (let attempt = 1; !webhook; attempt++) {
    try {
      const { data, error } = await satchel.POST("/webhook-endpoints", {
        body: { url: `${HOST_URL}/webhooks/satchel`, description: "Example host app", enabled_events: ["*"] },
      });
      if (data?.secret) {
        webhook = new Webhook(data.secret);
        console.log(`Webhook endpoint ${data.id} registered for ${HOST_URL}/webhooks/satchel.`);
        return;
      }
      console.error(`Registering the webhook endpoint failed: ${error?.error.message ?? "no secret in the answer"}`);
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) console.error(`Satchel at ${SATCHEL_URL} does not answer yet (${(err as Error).message}); retrying…`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// ── Pages ──

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function userOf(req: IncomingMessage, res: ServerResponse): string {
  const m = /(?:^|;\s*)uid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "");
  if (m) return m[1]!;
  const uid = `user_${randomBytes(6).toString("hex")}`;
  res.setHeader("Set-Cookie", `uid=${uid}; Path=/; HttpOnly; SameSite=Lax`);
  return uid;
}

async function customer(uid: string): Promise<Customer | null> {
  const { data, response } = await satchel.GET("/customers/{external_id}", { params: { path: { external_id: uid } } });
  if (response.status === 404) return null;
  if (!data) throw new Error(`GET /customers/${uid} answered ${response.status}`);
  return data;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Example host app</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1e293b}
button{font:inherit;padding:.5rem 1rem;border-radius:.5rem;border:1px solid #0f6b5d;background:#0f6b5d;color:#fff;cursor:pointer}
form{display:inline-block;margin:0 .5rem .5rem 0}.notice{padding:.5rem 1rem;border-radius:.5rem;background:#ecfdf5}.error{background:#fef2f2}
li{margin:.25rem 0}code{font-size:.9em}</style></head><body>${body}</body></html>`;
}

async function home(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
  const uid = userOf(req, res);
  const c = await customer(uid);
  const mine = received.filter((r) => (r.event.data.object as { customer?: string }).customer === uid);
  const notice = url.searchParams.get("notice");
  const error = url.searchParams.get("error");
  const nonce = randomUUID();
  return page(
    "Credits",
    `<h1>Example host app</h1>
<p>Signed in as <code data-testid="user">${esc(uid)}</code>.</p>
${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ""}${error ? `<p class="notice error" role="alert">${esc(error)}</p>` : ""}
<p>Balance: <strong data-testid="balance">${c ? c.balance : 0}</strong> credits${c ? "" : " (no purchases yet)"}</p>
<form method="post" action="/buy"><input type="hidden" name="order" value="${esc(nonce)}"><button>Buy credits</button></form>
<form method="post" action="/spend"><input type="hidden" name="nonce" value="${esc(nonce)}"><button>Spend 30 credits</button></form>
<h2>Webhook events received</h2>
${
  mine.length
    ? `<ul data-testid="events">${mine
        .map((r) => {
          const o = r.event.data.object as { reference?: string; metadata?: Record<string, string>; credits?: number; amount?: number };
          return `<li><code>${esc(r.event.type)}</code> · verified · webhook-id <code>${esc(r.webhookId)}</code>${o.reference ? ` · reference <code>${esc(o.reference)}</code>` : ""}${o.metadata && Object.keys(o.metadata).length ? ` · metadata <code>${esc(JSON.stringify(o.metadata))}</code>` : ""}</li>`;
        })
        .join("")}</ul>`
    : "<p>None yet.</p>"
}
<p><small>${rejected} rejected (bad signature).</small></p>`,
  );
}

// ── Actions ──

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await rawBody(req)).toString("utf8"));
}

function rawBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const redirect = (res: ServerResponse, to: string) => {
  res.writeHead(303, { Location: to }).end();
};

async function buy(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const uid = userOf(req, res);
  const order = (await form(req)).get("order") ?? randomUUID();
  // The host's own price: $5.00 for 100 credits, one session per order (the order id is the Idempotency-Key).
  const { data, error } = await satchel.POST("/checkout-sessions", {
    params: { header: { "Idempotency-Key": `order-${order}` } },
    body: {
      customer: { external_id: uid },
      amount: 500,
      currency: "USD",
      credits: 100,
      description: "100 credits for the example host app",
      reference: `order-${order}`,
      metadata: { app: "example-host", user: uid },
      success_url: `${HOST_URL}/success`,
      cancel_url: `${HOST_URL}/`,
    },
  });
  if (!data?.url) return redirect(res, `/?error=${encodeURIComponent(error?.error.message ?? "No session.")}`);
  redirect(res, data.url);
}

async function spend(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const uid = userOf(req, res);
  const nonce = (await form(req)).get("nonce") ?? randomUUID();
  const { data, error, response } = await satchel.POST("/customers/{external_id}/debits", {
    params: { path: { external_id: uid }, header: { "Idempotency-Key": `spend-${nonce}` } },
    body: { amount: 30, description: "Spent in the example host app" },
  });
  if (data) return redirect(res, `/?notice=${encodeURIComponent(`Spent 30 credits: ${data.balance_after} left.`)}`);
  const why = response.status === 402 ? "Not enough credits." : (error?.error.message ?? `Satchel answered ${response.status}.`);
  redirect(res, `/?error=${encodeURIComponent(why)}`);
}

async function success(req: IncomingMessage, res: ServerResponse, url: URL): Promise<string> {
  const id = url.searchParams.get("session_id") ?? "";
  const { data } = id.startsWith("cs_") ? await satchel.GET("/checkout-sessions/{id}", { params: { path: { id } } }) : { data: undefined };
  const body = await home(req, res, new URL(url.origin));
  const banner = data
    ? `<p class="notice" role="status" data-testid="session">Checkout session <code>${esc(data.id)}</code>: ${esc(data.status)}.</p>`
    : `<p class="notice error" role="alert">Unknown checkout session.</p>`;
  return body.replace("<h1>Example host app</h1>", `<h1>Example host app</h1>${banner}`);
}

async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = (await rawBody(req)).toString("utf8");
  if (!webhook) return void res.writeHead(503).end();
  let event: SatchelEvent;
  try {
    event = webhook.verify(body, req.headers as Record<string, string>) as SatchelEvent;
  } catch {
    rejected++;
    return void res.writeHead(400).end("bad signature");
  }
  const webhookId = String(req.headers["webhook-id"]);
  if (!received.some((r) => r.webhookId === webhookId)) received.unshift({ webhookId, event, receivedAt: new Date() });
  res.writeHead(204).end();
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", HOST_URL);
  try {
    // The page first (it may set the user's cookie), then the head.
    if (req.method === "GET" && (url.pathname === "/" || url.pathname === "/success")) {
      const html = url.pathname === "/" ? await home(req, res, url) : await success(req, res, url);
      return void res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
    }
    if (req.method === "POST" && url.pathname === "/buy") return await buy(req, res);
    if (req.method === "POST" && url.pathname === "/spend") return await spend(req, res);
    if (req.method === "POST" && url.pathname === "/webhooks/satchel") return await receive(req, res);
    if (req.method === "GET" && url.pathname === "/events.json")
      return void res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ received, rejected }));
    // Ready once it can verify webhooks (Playwright and scripts wait on this).
    if (req.method === "GET" && url.pathname === "/health") return void res.writeHead(webhook ? 200 : 503).end(webhook ? "ok" : "registering");
    if (url.pathname === "/favicon.ico") return void res.writeHead(204).end();
    res.writeHead(404).end("not found");
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.writeHead(502, { "Content-Type": "text/plain" }).end(`Satchel did not answer: ${(err as Error).message}`);
  }
});

server.listen(PORT, () => {
  console.log(`Example host app on ${HOST_URL} (Satchel at ${SATCHEL_URL}).`);
  void registerEndpoint();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
