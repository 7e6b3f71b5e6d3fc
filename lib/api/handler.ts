import "server-only";
import { NextResponse } from "next/server";
import { z } from "zod";
import { sessionUser } from "@/lib/auth";
import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";

// The one wrapper every API route goes through: authentication, role, body size and JSON
// parsing, zod validation, and error mapping. A client's mistake is always a 4xx with a
// JSON body `{ error: { code, message, details? } }`; anything unexpected is a 500 that says
// nothing about internals (the details go to the log).

export type Access = "public" | "user" | "admin";
type User = NonNullable<Awaited<ReturnType<typeof sessionUser>>>;

interface Options<B extends z.ZodType | undefined> {
  access: Access;
  body?: B;
  /** Largest accepted body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
}

interface Context<B, P> {
  req: Request;
  params: P;
  body: B;
  user: Access extends "public" ? User | null : User;
}

type Handler<B extends z.ZodType | undefined, P, A extends Access> = (ctx: {
  req: Request;
  params: P;
  body: B extends z.ZodType ? z.output<B> : undefined;
  user: A extends "public" ? User | null : User;
}) => Promise<Response | unknown>;

export function route<const A extends Access, B extends z.ZodType | undefined = undefined, P = Record<string, string>>(
  options: Options<B> & { access: A },
  handler: Handler<B, P, A>,
) {
  return async (req: Request, segment: { params: Promise<P> }): Promise<Response> => {
    try {
      let user: User | null = null;
      if (options.access !== "public") {
        user = await sessionUser();
        if (!user) throw new AppError("unauthenticated", "Sign in first.");
        if (options.access === "admin" && user.role !== "admin") throw new AppError("forbidden", "Admins only.");
      } else {
        user = await sessionUser().catch(() => null);
      }
      const body = options.body ? await readJson(req, options.body, options.maxBodyBytes ?? 64 * 1024) : undefined;
      const params = (await segment?.params) ?? ({} as P);
      const result = await handler({ req, params, body: body as never, user: user as never });
      return result instanceof Response ? result : NextResponse.json(result ?? { ok: true });
    } catch (err) {
      return errorResponse(err, req);
    }
  };
}

export function errorResponse(err: unknown, req?: Request): Response {
  if (isAppError(err)) {
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: err.code, message: err.message },
    };
    if (err.details !== undefined) body.error.details = err.details;
    return NextResponse.json(body, { status: err.status });
  }
  log.error({ err, path: req ? new URL(req.url).pathname : undefined }, "unhandled error in route");
  return NextResponse.json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500 });
}

/** Reads at most `limit` bytes of a JSON body and validates it. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, limit: number): Promise<z.output<S>> {
  const text = await readText(req, limit);
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type) && text.length > 0)
    throw new AppError("unsupported_media_type", "Send the body as application/json.");
  let data: unknown;
  try {
    data = text.length ? JSON.parse(text) : undefined;
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new AppError("validation_failed", "The request did not pass validation.", z.flattenError(parsed.error));
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
