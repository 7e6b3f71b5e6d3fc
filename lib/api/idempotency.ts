import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { db, Prisma, sql } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";

export { pruneIdempotencyKeys, RETENTION_MS } from "@/lib/host/retention";

import { ApiError } from "./v1-errors";

// Idempotency-Key with Stripe's semantics. The first request with a key claims it (a row
// without an answer), runs, and stores its answer; a later request with the same key and the
// same method, path and body gets that answer again, byte for byte; with anything different
// it gets 422 idempotency_key_reused. A request arriving while the first is still running
// waits for its answer a short while (so a burst of retries all get the one answer) and
// gets 409 if it is still running then. Only answers are stored: a request that fails
// validation never claims the key, and an unexpected failure (a 500) releases it so the
// client can retry. Keys belong to the API key that sent them (scope). Keys are kept at least 24 hours (pruneIdempotencyKeys drops older ones).

export interface StoredAnswer {
  status: number;
  /** The JSON text of the answer. */
  body: string;
  replayed: boolean;
}

export const KEY_MAX = 255;

/** Canonical JSON (object keys sorted) so `{a,b}` and `{b,a}` are the same body. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${path}\n${canonical(body)}`)
    .digest("hex");
}

export interface IdempotentRequest {
  /** Whose keys these are (the API key's id): the same Idempotency-Key from two API keys is two requests. */
  scope?: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
  /** How long a twin waits for a running first request before answering 409. */
  waitMs?: number;
}

export async function idempotent(req: IdempotentRequest, run: () => Promise<{ status: number; body: unknown }>): Promise<StoredAnswer> {
  const hash = requestHash(req.method, req.path, req.body);
  const claimed = await claim(req, hash);
  if (!claimed) return twin(req, hash);
  let answer: { status: number; body: string };
  try {
    const out = await run();
    answer = { status: out.status, body: JSON.stringify(out.body) };
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) answer = { status: err.status, body: JSON.stringify(err.body()) };
    else {
      await db.idempotencyRecord.deleteMany({ where: { id: claimed, completedAt: null } });
      throw err;
    }
  }
  await sql(Prisma.sql`
    UPDATE "IdempotencyRecord" SET "responseStatus" = ${answer.status}::int, "responseBody" = ${answer.body}, "completedAt" = ${new Date()}::timestamp(3)
    WHERE "id" = ${claimed}`);
  return { ...answer, replayed: false };
}

async function claim(req: IdempotentRequest, hash: string): Promise<string | null> {
  try {
    // The claim and the answer are on every API write's path: plain statements (see `sql`).
    const id = randomUUID();
    await sql(Prisma.sql`
      INSERT INTO "IdempotencyRecord" ("id", "scope", "key", "method", "path", "requestHash")
      VALUES (${id}, ${req.scope ?? ""}, ${req.key}, ${req.method}, ${req.path}, ${hash})`);
    return id;
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

async function twin(req: IdempotentRequest, hash: string): Promise<StoredAnswer> {
  const deadline = Date.now() + (req.waitMs ?? 10_000);
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const row = await db.idempotencyRecord.findUnique({
      where: { scope_key: { scope: req.scope ?? "", key: req.key } },
      select: { requestHash: true, responseStatus: true, responseBody: true, completedAt: true },
    });
    if (!row) {
      // The first request failed unexpectedly and released the key: this one runs afresh.
      throw new ApiError(
        409,
        "idempotency_error",
        "idempotency_key_in_use",
        "A request with this Idempotency-Key failed just now; retry it.",
        "Idempotency-Key",
      );
    }
    if (row.requestHash !== hash)
      throw new ApiError(
        422,
        "idempotency_error",
        "idempotency_key_reused",
        "This Idempotency-Key was used with a different request (method, path or body). Use a new key for a new request.",
        "Idempotency-Key",
      );
    if (row.completedAt && row.responseStatus !== null && row.responseBody !== null)
      return { status: row.responseStatus, body: row.responseBody, replayed: true };
    if (Date.now() + pause > deadline)
      throw new ApiError(
        409,
        "idempotency_error",
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed; retry later.",
        "Idempotency-Key",
      );
    await new Promise((r) => setTimeout(r, pause));
  }
}
