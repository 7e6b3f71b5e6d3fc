import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { type Processor, receiveWebhook, registerProcessor } from "./inbox";

// A provider redelivers a webhook whose first processing failed (our database or a provider
// lookup was briefly down): the redelivery is the same inbox row, processed again until it
// succeeds — and once it succeeded, further redeliveries are only answered as duplicates.
// The processor stands in for a rail's (the inbox's public plug-in point), on a provider name
// of its own so no other test's rows are touched.

function provider(outcomes: ("fail" | "ok")[]) {
  const name = `test-redelivery-${randomBytes(4).toString("hex")}`;
  const calls: string[] = [];
  const processor: Processor = async (row) => {
    calls.push(row.body);
    if (outcomes.shift() === "fail") throw new Error("lookup timed out");
    return { status: "processed", checkoutId: null };
  };
  registerProcessor(name, processor);
  const deliver = () => receiveWebhook({ provider: name, dedupKey: "event-1", headers: {}, body: '{"event":1}', verified: true });
  return { name, calls, deliver };
}

describe("redelivery of a failed inbox row", () => {
  it("is processed again: failed → processed on the same row, then later redeliveries are duplicates only", async () => {
    const p = provider(["fail", "fail", "ok"]);
    const first = await p.deliver();
    expect(first).toMatchObject({ duplicate: false, status: "failed", error: "lookup timed out" });
    const second = await p.deliver();
    expect(second).toMatchObject({ id: first.id, duplicate: true, status: "failed" });
    const third = await p.deliver();
    expect(third).toEqual({ id: first.id, duplicate: true, status: "processed" });
    expect(p.calls).toHaveLength(3);
    const row = await db.webhookInbox.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({ status: "processed", attempts: 3, error: null });
    expect(row.processedAt).not.toBeNull();

    const fourth = await p.deliver();
    expect(fourth).toMatchObject({ id: first.id, duplicate: true, status: "processed" });
    expect(p.calls, "a processed row is not processed again").toHaveLength(3);
    expect(await db.webhookInbox.count({ where: { provider: p.name } })).toBe(1);
  });

  it("a row left 'received' by a crash mid-processing is finished by a redelivery after 30 s, not while it may still be running", async () => {
    const p = provider(["ok", "ok"]);
    const row = await db.webhookInbox.create({
      data: { provider: p.name, dedupKey: "event-1", headers: {}, body: '{"event":1}', verified: true, status: "received" },
    });
    expect(await p.deliver()).toEqual({ id: row.id, duplicate: true, status: "received", error: undefined });
    expect(p.calls).toHaveLength(0);
    await db.webhookInbox.update({ where: { id: row.id }, data: { receivedAt: new Date(Date.now() - 31_000) } });
    expect(await p.deliver()).toEqual({ id: row.id, duplicate: true, status: "processed" });
    expect(p.calls).toHaveLength(1);
  });
});
