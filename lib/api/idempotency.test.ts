import { describe, expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { hostMaintenance } from "@/lib/host/maintenance";
import { idempotent, pruneIdempotencyKeys, requestHash } from "./idempotency";
import { ApiError } from "./v1-errors";

// The Idempotency-Key store on its own, against the real database: what a twin sees while
// the first request runs, after it failed, and after it answered.

const req = (key: string, body: unknown = { amount: 1 }, waitMs = 200) => ({ key, method: "POST", path: "/api/v1/x", body, waitMs });
const unique = () => `k-${Date.now()}-${Math.random().toString(36).slice(2)}`;

describe("idempotent()", () => {
  test("a twin arriving while the first still runs past its wait gets 409 idempotency_key_in_use; after the first answers, the twin replays it", async () => {
    const key = unique();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = idempotent(req(key), async () => {
      await gate;
      return { status: 201, body: { id: "one" } };
    });
    while ((await db.idempotencyRecord.count({ where: { key } })) === 0) await new Promise((r) => setTimeout(r, 10));
    const twin = await idempotent(req(key), async () => ({ status: 201, body: { id: "two" } })).catch((e: unknown) => e);
    expect(twin).toBeInstanceOf(ApiError);
    expect((twin as ApiError).status).toBe(409);
    expect((twin as ApiError).code).toBe("idempotency_key_in_use");
    release();
    expect(await first).toEqual({ status: 201, body: '{"id":"one"}', replayed: false });
    expect(await idempotent(req(key), async () => ({ status: 201, body: { id: "three" } }))).toEqual({ status: 201, body: '{"id":"one"}', replayed: true });
  });

  test("a body in another key order is the same request; another body is 422 idempotency_key_reused", async () => {
    expect(requestHash("POST", "/p", { a: 1, b: { c: 2, d: 3 } })).toBe(requestHash("POST", "/p", { b: { d: 3, c: 2 }, a: 1 }));
    expect(requestHash("POST", "/p", { a: 1 })).not.toBe(requestHash("POST", "/q", { a: 1 }));
    const key = unique();
    await idempotent(req(key, { a: 1, b: 2 }), async () => ({ status: 200, body: { ok: 1 } }));
    expect((await idempotent(req(key, { b: 2, a: 1 }), async () => ({ status: 200, body: { ok: 2 } }))).replayed).toBe(true);
    const reused = await idempotent(req(key, { a: 2, b: 2 }), async () => ({ status: 200, body: {} })).catch((e: unknown) => e);
    expect((reused as ApiError).status).toBe(422);
    expect((reused as ApiError).code).toBe("idempotency_key_reused");
  });

  test("an unexpected failure releases the key (the retry runs); a client error's answer is kept", async () => {
    const key = unique();
    await expect(
      idempotent(req(key), async () => {
        throw new Error("database fell over");
      }),
    ).rejects.toThrow("database fell over");
    expect(await db.idempotencyRecord.count({ where: { key } })).toBe(0);
    expect(await idempotent(req(key), async () => ({ status: 201, body: { id: "retry" } }))).toMatchObject({ status: 201, replayed: false });

    const refused = unique();
    const a = await idempotent(req(refused), async () => {
      throw new ApiError(402, "invalid_request_error", "insufficient_credits", "short", "amount");
    });
    expect(a.status).toBe(402);
    const b = await idempotent(req(refused), async () => ({ status: 201, body: {} }));
    expect(b).toEqual({ ...a, replayed: true });
  });

  test("answers are kept at least 24 hours", async () => {
    const key = unique();
    await idempotent(req(key), async () => ({ status: 200, body: {} }));
    const now = new Date();
    await pruneIdempotencyKeys(new Date(now.getTime() + 23 * 3600_000), 0);
    expect(await db.idempotencyRecord.count({ where: { key } })).toBe(1);
    await pruneIdempotencyKeys(new Date(now.getTime() + 49 * 3600_000));
    expect(await db.idempotencyRecord.count({ where: { key } })).toBe(0);
  });

  test("the scheduled sweep (driver tick, Inngest cron) prunes them: an answer a day and a half old stays, one over two days old goes", async () => {
    const fresh = unique();
    const old = unique();
    await idempotent(req(fresh), async () => ({ status: 200, body: {} }));
    await idempotent(req(old), async () => ({ status: 200, body: {} }));
    const now = new Date();
    await db.idempotencyRecord.updateMany({ where: { key: fresh }, data: { createdAt: new Date(now.getTime() - 36 * 3600_000) } });
    await db.idempotencyRecord.updateMany({ where: { key: old }, data: { createdAt: new Date(now.getTime() - 49 * 3600_000) } });
    const r = await hostMaintenance({ now, prune: true });
    expect(r.idempotencyKeysPruned).toBeGreaterThanOrEqual(1);
    expect(await db.idempotencyRecord.count({ where: { key: fresh } })).toBe(1);
    expect(await db.idempotencyRecord.count({ where: { key: old } })).toBe(0);
  });
});
