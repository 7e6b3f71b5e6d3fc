import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NeobankClient, NeobankError } from "./api";
import { verifyRequestBody } from "./signing";

// The client against a scripted HTTP server: headers and signature on every request,
// backoff on 429/5xx (honouring Retry-After), typed errors, and the request timeout.

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
let server: Server | undefined;

type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

async function gateway(replies: Reply[]) {
  const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const r = replies[Math.min(seen.length - 1, replies.length - 1)]!;
    if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
    if (res.destroyed) return;
    res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
    res.end(r.body === undefined ? "" : JSON.stringify(r.body));
  });
  await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
  const client = new NeobankClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    apiKey: "pk_test_123456",
    privateKey,
    backoffMs: 5,
    timeoutMs: 500,
    retries: 3,
  });
  return { client, seen };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok));
  server = undefined;
});

const created = { tx_id: "TXN-ABC123", status: "CREATED", payment_url: "https://pay.example/p/TXN-ABC123" };
const payment = {
  cprn: "CPRN-ABC123",
  amount: 2000,
  currency: "USD",
  reference: "ck_1",
  description: "Satchel Medium",
  return_url: "https://satchel.example/checkout/ck_1",
  callback_url: "https://satchel.example/api/webhooks/neobank",
};

describe("NeobankClient", () => {
  it("sends the API key, the idempotency key and an RSA signature of the exact body", async () => {
    const { client, seen } = await gateway([{ status: 201, body: created }]);
    expect(await client.initiatePayment(payment, "payment:ck_1")).toEqual(created);
    const req = seen[0]!;
    expect(req).toMatchObject({ method: "POST", url: "/v1/payments" });
    expect(req.headers["x-api-key"]).toBe("pk_test_123456");
    expect(req.headers["idempotency-key"]).toBe("payment:ck_1");
    expect(JSON.parse(req.body)).toEqual(payment);
    expect(verifyRequestBody(req.body, String(req.headers["x-request-signature"]), publicKey)).toBe(true);
  });

  it("retries 503 and 429 (with Retry-After) and then succeeds", async () => {
    const { client, seen } = await gateway([
      { status: 503, body: { error: { code: "busy", message: "try later" } } },
      { status: 429, headers: { "retry-after": "0" } },
      { status: 200, body: { tx_id: "TXN-ABC123", status: "success", amount: "20.00", currency: "USD" } },
    ]);
    expect(await client.getPayment("TXN-ABC123")).toMatchObject({ status: "SUCCESS", amount: "20.00" });
    expect(seen).toHaveLength(3);
    expect(client.stats).toEqual({ requests: 3, retries: 2 });
    // GETs are signed too (over the empty body).
    expect(verifyRequestBody("", String(seen[0]!.headers["x-request-signature"]), publicKey)).toBe(true);
  });

  it("gives up after the retries with an 'unavailable' error", async () => {
    const { client, seen } = await gateway([{ status: 502 }]);
    const err = await client.getPayment("TXN-ABC123").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeobankError);
    expect(err).toMatchObject({ kind: "unavailable", status: 502 });
    expect(seen).toHaveLength(4);
  });

  it("does not retry other 4xx, and types them", async () => {
    const cases: [number, string][] = [
      [401, "unauthorized"],
      [404, "not_found"],
      [422, "rejected"],
    ];
    for (const [status, kind] of cases) {
      const { client, seen } = await gateway([{ status, body: { error: { code: `code_${status}`, message: "no" } } }]);
      const err = await client.initiatePayment(payment, "k").catch((e: unknown) => e);
      expect(err).toMatchObject({ kind, status, code: `code_${status}` });
      expect(seen).toHaveLength(1);
      server?.closeAllConnections();
      await new Promise((ok) => server?.close(ok));
    }
  });

  it("times out a hanging request, retries, and reports it", async () => {
    const { client, seen } = await gateway([{ status: 200, body: created, delayMs: 2_000 }]);
    const err = await client.getPayment("TXN-ABC123").catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "unavailable" });
    expect((err as Error).message).toContain("timed out");
    expect(seen).toHaveLength(4);
  });

  it("refuses a 2xx whose body is not what the API promises", async () => {
    const { client } = await gateway([{ status: 200, body: { tx_id: "TXN-ABC123" } }]);
    await expect(client.getPayment("TXN-ABC123")).rejects.toMatchObject({ kind: "bad_response" });
  });
});
