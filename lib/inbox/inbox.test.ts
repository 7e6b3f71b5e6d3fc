import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import { createUser } from "@/test/factories";
import { mpesaSandbox } from "@/test/mpesa";
import { handleMpesaCallback, startMpesaCheckout } from "@/test/rails";
import { pruneInbox } from "./inbox";

// The webhook inbox cannot be flooded: rejected calls are folded into a counter when they
// repeat, limited per source and capped per provider; old rows are pruned, rows that moved
// money are kept.

const TOKEN = "test-callback-token-0123456789abcdef";

beforeAll(async () => {
  // One trusted proxy in front: the caller is the X-Forwarded-For entry it appended.
  await mpesaSandbox({ MPESA_CALLBACK_TOKEN: TOKEN, WEBHOOK_REJECTED_PER_SOURCE: "20", WEBHOOK_REJECTED_CAP: "50", TRUSTED_PROXY_HOPS: "1" });
});
afterAll(async () => {
  await stopLocalDaraja();
});

const forged = (from: string | null, body: string) =>
  handleMpesaCallback(
    "forged-token-0123456789abcdefgh",
    new Headers({ "content-type": "application/json", ...(from ? { "x-forwarded-for": from } : {}) }),
    body,
  ).then(
    () => 200,
    (e) => (isAppError(e) ? e.status : 500),
  );
const rejectedRows = () => db.webhookInbox.count({ where: { provider: "mpesa", status: "rejected" } });

describe("rejected calls", () => {
  it("900 identical forged calls from one source add one row with a counter", async () => {
    const before = await rejectedRows();
    const body = JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: "ws_CO_flood", ResultCode: 0 } } });
    const codes: number[] = [];
    for (let i = 0; i < 900; i += 50) codes.push(...(await Promise.all(Array.from({ length: 50 }, () => forged("203.0.113.7", body)))));
    expect(codes.every((c) => c === 404)).toBe(true);
    expect((await rejectedRows()) - before).toBe(1);
    const row = await db.webhookInbox.findFirstOrThrow({ where: { provider: "mpesa", status: "rejected", body } });
    expect(row).toMatchObject({ source: "203.0.113.7", repeats: 899, verified: false });
    expect(row.lastSeenAt).not.toBeNull();
  }, 120_000);

  it("different bodies: a source gets WEBHOOK_REJECTED_PER_SOURCE rows, then 429; the provider's rows are capped at WEBHOOK_REJECTED_CAP", async () => {
    await db.webhookInbox.deleteMany({ where: { provider: "mpesa", status: "rejected" } });
    const one = await Promise.all(Array.from({ length: 40 }, (_, i) => forged("198.51.100.1", `{"n":${i}}`)));
    expect(one.filter((c) => c === 404)).toHaveLength(20);
    expect(one.filter((c) => c === 429)).toHaveLength(20);
    expect(await db.webhookInbox.count({ where: { provider: "mpesa", status: "rejected", source: "198.51.100.1" } })).toBe(20);
    // The refused calls are still visible: counted on the source's latest row.
    const counted = await db.webhookInbox.aggregate({ where: { source: "198.51.100.1" }, _sum: { repeats: true } });
    expect(counted._sum.repeats).toBe(20);

    // Rotating sources (a forged X-Forwarded-For) only reaches the provider's cap.
    const many = await Promise.all(Array.from({ length: 60 }, (_, i) => forged(`192.0.2.${i}`, `{"m":${i}}`)));
    expect(many.filter((c) => c === 404)).toHaveLength(30);
    expect(many.filter((c) => c === 429)).toHaveLength(30);
    expect(await rejectedRows()).toBe(50);
  }, 120_000);
});

describe("retention (WEBHOOK_RETENTION_DAYS)", () => {
  it("prunes old rejected rows and old rows that moved nothing; keeps rows behind a checkout, unfinished rows and recent ones", async () => {
    process.env.WEBHOOK_RETENTION_DAYS = "30";
    resetEnvForTests();
    const user = await createUser();
    const { checkoutId } = await startMpesaCheckout({ userId: user.id, packageId: "medium", phone: "0712345678" });
    const old = new Date(Date.now() - 31 * 86_400_000);
    const recent = new Date(Date.now() - 29 * 86_400_000);
    const row = (dedupKey: string, status: "rejected" | "processed" | "ignored" | "failed", receivedAt: Date, withCheckout = false) =>
      db.webhookInbox.create({
        data: {
          provider: "mpesa",
          dedupKey,
          headers: {},
          body: "{}",
          status,
          verified: status !== "rejected",
          receivedAt,
          ...(withCheckout ? { checkoutId } : {}),
        },
        select: { id: true },
      });
    const doomed = await Promise.all([
      row("old-rejected", "rejected", old),
      row("old-ignored", "ignored", old),
      row("old-processed-nothing", "processed", old),
    ]);
    const kept = await Promise.all([
      row("old-money", "processed", old, true),
      row("old-failed", "failed", old),
      row("recent-rejected", "rejected", recent),
      row("recent-processed", "processed", recent),
    ]);
    const r = await pruneInbox();
    expect(r.rejected).toBeGreaterThanOrEqual(1);
    expect(r.finished).toBeGreaterThanOrEqual(2);
    expect(await db.webhookInbox.count({ where: { id: { in: doomed.map((d) => d.id) } } })).toBe(0);
    expect(await db.webhookInbox.count({ where: { id: { in: kept.map((k) => k.id) } } })).toBe(4);

    // A shorter retention prunes the recent ones too (but still never the money row).
    process.env.WEBHOOK_RETENTION_DAYS = "7";
    resetEnvForTests();
    await pruneInbox();
    expect(await db.webhookInbox.count({ where: { id: { in: kept.map((k) => k.id) } } })).toBe(2);
    expect(await db.webhookInbox.findUnique({ where: { id: kept[0]!.id } })).not.toBeNull();
  });
});
