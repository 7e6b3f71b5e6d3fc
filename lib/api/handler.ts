import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";
import { sessionUser } from "@/lib/auth";
import { AppError, isAppError } from "@/lib/errors";
import { hostedViewer } from "@/lib/host/sessions";
import { log, redactPath } from "@/lib/log";

// The one wrapper every API route goes through: authentication, role, body size and JSON
// parsing, zod validation, and error mapping. A client's mistake is always a 4xx with a
// JSON body `{ error: { code, message, details? } }`; anything unexpected is a 500 that says
// nothing about internals (the details go to the log).

/** "checkout": a signed-in user, or the browser holding the hosted-session token of the checkout in params.id. */
export type Access = "public" | "user" | "admin" | "checkout";
export type SessionUser = NonNullable<Awaited<ReturnType<typeof sessionUser>>>;

interface Options<A extends Access, B extends z.ZodType | undefined, P extends z.ZodType | undefined> {
  access: A;
  /** Schema of the JSON body; malformed JSON → 400, failed validation → 422. */
  body?: B;
  /** Schema of the dynamic route segments ([id] …); failure → 404. */
  params?: P;
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<A extends Access, B, P> {
  req: Request;
  params: Out<P>;
  body: Out<B>;
  // Public routes never look the session up.
  user: A extends "public" ? null : SessionUser;
}

export function route<const A extends Access, B extends z.ZodType | undefined = undefined, P extends z.ZodType | undefined = undefined>(
  options: Options<A, B, P>,
  handler: (ctx: RouteContext<A, B, P>) => Promise<unknown>,
) {
  return async (req: Request, segment?: { params?: Promise<unknown> }): Promise<Response> => {
    try {
      let user: SessionUser | null = null;
      if (options.access === "checkout") {
        const id = ((await segment?.params) as { id?: unknown } | undefined)?.id;
        const hosted = typeof id === "string" && idParam.shape.id.safeParse(id).success ? await hostedViewer(id, cookieReader(req)) : null;
        if (hosted) user = hosted as SessionUser;
      }
      if (options.access !== "public" && !user) {
        user = await sessionUser();
        if (!user) throw new AppError("unauthenticated", "Sign in first.");
        if (options.access === "admin" && user.role !== "admin") throw new AppError("forbidden", "Admins only.");
      }
      let params: unknown;
      if (options.params) {
        const parsed = options.params.safeParse(await segment?.params);
        if (!parsed.success) throw new AppError("not_found", "Not found.");
        params = parsed.data;
      }
      const body = options.body ? await readJson(req, options.body, options.maxBodyBytes ?? 64 * 1024) : undefined;
      const result = await handler({ req, params, body, user } as RouteContext<A, B, P>);
      return result instanceof Response ? result : NextResponse.json(result ?? { ok: true });
    } catch (err) {
      return errorResponse(err, req);
    }
  };
}

/**
 * Route segment schema for the common `[id]` segment. Control characters are never in an id
 * (a NUL byte reached PostgreSQL and came back as a 500): such a segment is a 404 like any
 * unknown id.
 */
export const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)),
});

export function errorResponse(err: unknown, req?: Request): Response {
  if (isAppError(err)) {
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: err.code, message: err.message },
    };
    if (err.details !== undefined) body.error.details = err.details;
    return NextResponse.json(body, { status: err.status });
  }
  // A schema a handler applied itself (query parameters, for example): the caller's mistake.
  if (err instanceof z.ZodError)
    return NextResponse.json(
      { error: { code: "validation_failed", message: "The request did not pass validation.", details: z.flattenError(err) } },
      { status: 422 },
    );
  log.error({ err, path: req ? redactPath(new URL(req.url).pathname) : undefined }, "unhandled error in route");
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500 });
}

/** Reads at most `limit` bytes of a JSON body and validates it. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, limit: number): Promise<z.output<S>> {
  const text = await readText(req, limit);
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type) && text.length > 0) throw new AppError("unsupported_media_type", "Send the body as application/json.");
  let data: unknown;
  try {
    data = text.length ? JSON.parse(text) : undefined;
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new AppError("validation_failed", "The request did not pass validation.", z.flattenError(parsed.error));
  return parsed.data;
}

/** The raw body as text, refusing anything over `limit` bytes without buffering it all. */
export async function readText(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new AppError("payload_too_large", `The body is larger than ${limit} bytes.`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large", `The body is larger than ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

/** Reads one cookie of a request. */
export function cookieReader(req: Request): (name: string) => string | undefined {
  const header = req.headers.get("cookie") ?? "";
  return (name) => {
    for (const part of header.split(";")) {
      const i = part.indexOf("=");
      if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
    }
    return undefined;
  };
}
