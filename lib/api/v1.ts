import "server-only";
import { NextResponse } from "next/server";
import type { z } from "zod";
import { type ApiPrincipal, authenticateAndCount, type Scope } from "@/lib/host/keys";
import { log } from "@/lib/log";
import { readText } from "./handler";
import { idempotent, KEY_MAX } from "./idempotency";
import { ApiError, fromZod, toApiError } from "./v1-errors";

// The wrapper every /api/v1 route goes through: the API key (Bearer), its scope, its rate
// limit, the path, query and body schemas, Idempotency-Key, and Stripe-shaped errors. A
// client's mistake is a 4xx naming the parameter; anything unexpected a bare 500.

interface Options<B extends z.ZodType | undefined, P extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  scope: Scope;
  body?: B;
  params?: P;
  query?: Q;
  /** POSTs: "required" (debits, grants) or "optional" (every other POST). */
  idempotency?: "required" | "optional";
  /** Status of a fresh answer (201 for creations). */
  status?: number;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface V1Context<B, P, Q> {
  req: Request;
  key: ApiPrincipal;
  body: Out<B>;
  params: Out<P>;
  query: Out<Q>;
  /** The request's Idempotency-Key (always set where idempotency is required). */
  idempotencyKey: string | undefined;
}

const MAX_BODY = 64 * 1024;

export function v1<B extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  options: Options<B, P, Q>,
  handler: (ctx: V1Context<B, P, Q>) => Promise<unknown>,
) {
  return async (req: Request, segment?: { params?: Promise<unknown> }): Promise<Response> => {
    try {
      const key = await authorize(req, options.scope);
      let params: unknown;
      if (options.params) {
        const parsed = options.params.safeParse(await segment?.params);
        if (!parsed.success) throw new ApiError(404, "invalid_request_error", "resource_missing", "No such resource.");
        params = parsed.data;
      }
      const url = new URL(req.url);
      let query: unknown;
      if (options.query) {
        const parsed = options.query.safeParse(queryObject(url.searchParams));
        if (!parsed.success) throw fromZod(parsed.error);
        query = parsed.data;
      }
      let raw: unknown;
      let body: unknown;
      if (options.body) {
        raw = await readBody(req);
        const parsed = options.body.safeParse(raw);
        if (!parsed.success) throw fromZod(parsed.error);
        body = parsed.data;
      }
      const idempotencyKey = readIdempotencyKey(req, options.idempotency);
      const run = async () => ({
        status: options.status ?? 200,
        body: await handler({ req, key, body, params, query, idempotencyKey } as V1Context<B, P, Q>),
      });
      if (!idempotencyKey) {
        const answer = await run();
        return NextResponse.json(answer.body, { status: answer.status });
      }
      const answer = await idempotent({ scope: key.id, key: idempotencyKey, method: req.method, path: url.pathname, body: raw ?? null }, async () => {
        try {
          return await run();
        } catch (err) {
          throw toApiError(err) ?? err;
        }
      });
      return new Response(answer.body, {
        status: answer.status,
        headers: { "content-type": "application/json", "Idempotency-Key": idempotencyKey, ...(answer.replayed ? { "Idempotent-Replayed": "true" } : {}) },
      });
    } catch (err) {
      return apiErrorResponse(err, req);
    }
  };
}

async function authorize(req: Request, scope: Scope): Promise<ApiPrincipal> {
  const header = req.headers.get("authorization");
  if (!header)
    throw new ApiError(401, "authentication_error", "api_key_missing", "No API key: send it as Authorization: Bearer <key>.", null, {
      "WWW-Authenticate": "Bearer",
    });
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  // The key, its revocation and its rate window in one statement (read on every request).
  const found = m?.[1] ? await authenticateAndCount(m[1]) : null;
  if (!found)
    throw new ApiError(401, "authentication_error", "api_key_invalid", "The API key is not valid (unknown or revoked).", null, {
      "WWW-Authenticate": "Bearer",
    });
  const { key, limit } = found;
  if (!limit.ok)
    throw new ApiError(429, "rate_limit_error", "rate_limited", `This key made more than ${key.rateLimitPerMinute} requests this minute.`, null, {
      "Retry-After": String(limit.retryAfter),
    });
  if (!key.scopes.includes(scope)) throw new ApiError(403, "permission_error", "insufficient_scope", `This key lacks the ${scope} scope.`);
  return key;
}

function readIdempotencyKey(req: Request, mode: Options<undefined, undefined, undefined>["idempotency"]): string | undefined {
  const value = req.headers.get("idempotency-key")?.trim();
  if (!mode) return undefined;
  if (!value) {
    if (mode === "required")
      throw new ApiError(400, "invalid_request_error", "idempotency_key_missing", "This request needs an Idempotency-Key header.", "Idempotency-Key");
    return undefined;
  }
  if (value.length > KEY_MAX)
    throw new ApiError(400, "invalid_request_error", "parameter_invalid", `Idempotency-Key is longer than ${KEY_MAX} characters.`, "Idempotency-Key");
  return value;
}

async function readBody(req: Request): Promise<unknown> {
  let text: string;
  try {
    text = await readText(req, MAX_BODY);
  } catch (err) {
    throw toApiError(err) ?? err;
  }
  const type = req.headers.get("content-type") ?? "";
  if (text.length > 0 && !/^application\/(.+\+)?json\b/i.test(type))
    throw new ApiError(415, "invalid_request_error", "unsupported_media_type", "Send the body as application/json.");
  if (!text.length) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_request_error", "invalid_json", "The body is not valid JSON.");
  }
}

/** Query string as an object; a repeated name (`type=a&type=b`) becomes an array. */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function apiErrorResponse(err: unknown, req?: Request): Response {
  const api = toApiError(err);
  if (api) return NextResponse.json(api.body(), { status: api.status, headers: api.headers });
  log.error({ err, path: req ? new URL(req.url).pathname : undefined }, "unhandled error in /api/v1");
  return NextResponse.json({ error: { type: "api_error", code: "internal", message: "Something went wrong on our side.", param: null } }, { status: 500 });
}

export function list<T>(url: string, page: { data: T[]; hasMore: boolean }) {
  return { object: "list" as const, url, data: page.data, has_more: page.hasMore };
}
