import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopLocalDaraja } from "@/lib/rails/mpesa/sandbox";
import { mpesaSandbox } from "@/test/mpesa";
import { webhookRoute } from "@/test/rails";

// A NUL byte in a webhook body (PostgreSQL text cannot hold one) is a client's mistake on
// every webhook route: 400, stored as a rejected inbox row, nothing else.

const TOKEN = "test-callback-token-0123456789abcdef";

beforeAll(async () => {
  await mpesaSandbox({ MPESA_CALLBACK_TOKEN: TOKEN, ELECTRUM_NOTIFY_TOKEN: "electrum-notify-token-0123456789abcdef" });
});
afterAll(async () => {
  await stopLocalDaraja();
});

describe("a NUL byte in a webhook body", () => {
  it.each([
    ["mpesa", [TOKEN]],
    ["neobank", []],
    ["interledger", []],
    ["electrum", ["electrum-notify-token-0123456789abcdef"]],
  ] as const)("/api/webhooks/%s → 400 and a rejected row", async (provider, segments) => {
    // A marker of this run's own: other files of the same worker (the fuzz test) send NUL bytes too.
    const marker = randomUUID();
    const body = `{"Body":{"stkCallback":{"ResultDesc":"a\u0000b"}},"tx_id":"TX\u0000","marker":"${marker}"}`;
    const path = [provider, ...segments].join("/");
    const res = await webhookRoute(provider)(
      new Request(`http://localhost/api/webhooks/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body }),
      { params: Promise.resolve(Object.fromEntries(segments.map((s, i) => [String(i), s]))) },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "bad_request" } });
    const rows = await db.webhookInbox.findMany({ where: { provider, verifyError: "the body contains a NUL byte", body: { contains: marker } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "rejected", verified: false, body: body.replaceAll("\u0000", "\\u0000") });
  });
});
