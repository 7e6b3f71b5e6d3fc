// Helpers for /api/v1 tests: a key straight in the database, and requests shaped the way
// Next.js hands them to route handlers.
import { generateKey, type Scope } from "@/lib/host/keys";

export async function createKey(scopes: Scope[] = ["read", "checkouts:write", "credits:write"], rateLimitPerMinute = 100_000) {
  const { db } = await import("@/lib/db/client");
  const k = generateKey();
  const row = await db.apiKey.create({ data: { name: "test", prefix: k.prefix, secretHash: k.secretHash, scopes, rateLimitPerMinute }, select: { id: true } });
  return { id: row.id, secret: k.secret, prefix: k.prefix };
}

export interface Call {
  method?: string;
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export function apiRequest(path: string, c: Call = {}): Request {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  if (c.idempotencyKey) headers["idempotency-key"] = c.idempotencyKey;
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (body !== undefined) headers["content-type"] ??= "application/json";
  return new Request(`http://localhost${path}`, { method: c.method ?? (body === undefined ? "GET" : "POST"), headers, body });
}

type Handler = (req: Request, segment: { params: Promise<unknown> }) => Promise<Response>;

/** Calls a route handler the way Next.js does; returns status, headers and the JSON body. */
export async function call<T = Record<string, unknown>>(handler: Handler, path: string, c: Call = {}, params: Record<string, string> = {}) {
  const res = await handler(apiRequest(path, c), { params: Promise.resolve(params) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : null) as T & { error?: ApiErrorBody } };
}

export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  param: string | null;
}
