import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { registerLocalHandlers } from "@/lib/lifecycle/local";
import { simulator } from "@/lib/rails/bitcoin/client";
import type { Chain } from "@/lib/rails/bitcoin/sandbox/chain";
import { replayWebhook } from "@/lib/webhooks/processors";
import { newCheckout, payAndConfirm, regtest } from "@/test/bitcoin";
import { webhookRoute } from "@/test/rails";

const POST = webhookRoute("electrum");

// The Electrum notify endpoint end to end (in-process mode: activity advances the checkout).

const TOKEN = "electrum-notify-token-0123456789abcdef";
let chain: Chain;

beforeAll(async () => {
  chain = await regtest({ ELECTRUM_NOTIFY_TOKEN: TOKEN });
  registerLocalHandlers();
});
afterAll(async () => {
  await (await simulator())?.close();
});
beforeEach(() => {
  chain.mine(1);
});

function call(token: string, body: string, headers: Record<string, string> = {}) {
  const req = new Request(`http://localhost/api/webhooks/electrum/${token}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  return POST(req, { params: Promise.resolve({ token }) });
}

const ledger = (userId: string) => db.ledgerEntry.count({ where: { userId } });

describe("POST /api/webhooks/electrum/[token]", () => {
  it("a valid notification advances the checkout; duplicates and replays change nothing", async () => {
    const { user, checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    const body = JSON.stringify({ address: checkout.address, status: "a".repeat(64) });

    const res = await call(TOKEN, body, { authorization: "Basic c2VjcmV0", cookie: "session=abc", "user-agent": "Electrum/4.3" });
    expect(res.status).toBe(200);
    const first = (await res.json()) as { id: string; status: string; duplicate: boolean };
    expect(first).toMatchObject({ status: "processed", duplicate: false });

    const after = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
    expect(after.status).toBe("credited");
    expect(await ledger(user.id)).toBe(1);

    const row = await db.webhookInbox.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({ provider: "electrum", verified: true, status: "processed", checkoutId: checkout.id, body, attempts: 1 });
    expect(row.processedAt).not.toBeNull();
    expect(row.dedupKey).toBe(`${checkout.address}:${"a".repeat(64)}`);
    const headers = row.headers as Record<string, string>;
    expect(headers.authorization).toBe("[redacted]");
    expect(headers.cookie).toBe("[redacted]");
    expect(headers["user-agent"]).toBe("Electrum/4.3");
    expect(JSON.stringify(row)).not.toContain(TOKEN);

    // the same notification again: stored once, answered as a duplicate, nothing moves
    const dup = await call(TOKEN, body);
    expect(dup.status).toBe(200);
    expect(await dup.json()).toMatchObject({ id: first.id, duplicate: true, status: "processed" });
    expect(await db.webhookInbox.count({ where: { provider: "electrum", dedupKey: row.dedupKey } })).toBe(1);

    // a replay re-runs processing, idempotently
    const version = (await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).version;
    expect(await replayWebhook(first.id)).toMatchObject({ status: "processed" });
    expect(await replayWebhook(first.id)).toMatchObject({ status: "processed" });
    expect(await ledger(user.id)).toBe(1);
    const final = await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } });
    expect(final).toMatchObject({ status: "credited", version });
    expect((await db.webhookInbox.findUniqueOrThrow({ where: { id: first.id } })).attempts).toBe(3);
  });

  it("a null status (history emptied) is a valid notification too", async () => {
    const { checkout } = await newCheckout();
    const res = await call(TOKEN, JSON.stringify({ address: checkout.address, status: null }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "processed" });
  });

  it("an address no checkout uses is stored and ignored", async () => {
    const res = await call(TOKEN, JSON.stringify({ address: "bcrt1qunknownaddress000000000000000000000", status: "b".repeat(64) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ignored" });
  });

  it("a forged token gets 404 and a stored rejected row (without the token), and nothing moves", async () => {
    const { checkout } = await newCheckout();
    payAndConfirm(chain, checkout);
    const forged = "not-the-token-at-all-0123456789abcdef";
    const body = JSON.stringify({ address: checkout.address, status: "c".repeat(64) });
    const res = await call(forged, body);
    expect(res.status).toBe(404);
    const rows = await db.webhookInbox.findMany({ where: { provider: "electrum", body } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "rejected", verified: false, verifyError: "unknown notify token", processedAt: null, checkoutId: null });
    expect(JSON.stringify(rows[0])).not.toContain(forged);
    expect((await db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).status).toBe("pending");
    await expect(replayWebhook(rows[0]!.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it.each([
    ["not JSON", "{address: nope"],
    ["the wrong shape", JSON.stringify({ addr: "x" })],
    ["an address with odd characters", JSON.stringify({ address: "bcrt1q'; DROP TABLE--", status: null })],
  ])("malformed bodies (%s) get 400 and nothing is processed", async (_name, body) => {
    const res = await call(TOKEN, body);
    expect(res.status).toBe(400);
    const rows = await db.webhookInbox.findMany({ where: { provider: "electrum", body } });
    expect(rows.every((r) => r.status === "rejected" && r.processedAt === null)).toBe(true);
  });

  it("an oversized body gets 413 and is not stored", async () => {
    const body = JSON.stringify({ address: "bcrt1qxxxxxxxxxxxxxxxxxxxx", status: "d".repeat(10_000) });
    const res = await call(TOKEN, body);
    expect(res.status).toBe(413);
    expect(await db.webhookInbox.count({ where: { body } })).toBe(0);
  });
});
