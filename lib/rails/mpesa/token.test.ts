import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { mpesaSandbox } from "@/test/mpesa";
import { DarajaClient, DarajaError } from "./daraja";
import { stopLocalDaraja } from "./sandbox";
import type { FakeDaraja } from "./sandbox/server";
import { dbTokenStore, tokenRowId } from "./token";

// The shared OAuth token against the local fake Daraja (which counts OAuth hits), with the
// token row in real PostgreSQL.

let fake: FakeDaraja;
beforeAll(async () => {
  fake = await mpesaSandbox();
});
afterAll(async () => {
  await stopLocalDaraja();
});
beforeEach(async () => {
  await db.mpesaToken.deleteMany();
  fake.stats.oauth = 0;
});

/** A client as one instance of the app would build it (own memory, shared row). */
const instance = (opts: { secret?: string; attempts?: number } = {}) =>
  new DarajaClient({
    baseUrl: fake.url,
    consumerKey: fake.consumerKey,
    consumerSecret: opts.secret ?? fake.consumerSecret,
    shortcode: fake.shortcode,
    passkey: fake.passkey,
    tokens: dbTokenStore(tokenRowId(fake.url, fake.consumerKey)),
    backoffMs: 5,
    attempts: opts.attempts ?? 4,
  });

describe("the shared Daraja OAuth token", () => {
  it("is fetched once for 20 concurrent callers in 20 separate instances", async () => {
    const clients = Array.from({ length: 20 }, () => instance());
    const tokens = await Promise.all(clients.map((c) => c.accessToken()));
    expect(fake.stats.oauth).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    const row = await db.mpesaToken.findUniqueOrThrow({ where: { id: tokenRowId(fake.url, fake.consumerKey) } });
    expect(row.accessToken).toBe(tokens[0]);
    // Daraja's expires_in is "3599" (a string): cached for about an hour.
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(3500_000);
  });

  it("is fetched once for 20 concurrent callers in one instance, and reused afterwards", async () => {
    const c = instance();
    await Promise.all(Array.from({ length: 20 }, () => c.accessToken()));
    await c.accessToken();
    await instance().accessToken(); // a new instance reads the row
    expect(fake.stats.oauth).toBe(1);
  });

  it("is refreshed (once) when it is about to expire", async () => {
    await instance().accessToken();
    await db.mpesaToken.updateMany({ data: { expiresAt: new Date(Date.now() + 30_000) } }); // inside the refresh margin
    const tokens = await Promise.all(Array.from({ length: 10 }, () => instance().accessToken()));
    expect(fake.stats.oauth).toBe(2);
    expect(new Set(tokens).size).toBe(1);
  });

  it("a refused token (401) is dropped and fetched again once", async () => {
    const c = instance();
    await c.accessToken();
    await db.mpesaToken.updateMany({ data: { accessToken: "revoked-token", expiresAt: new Date(Date.now() + 3_000_000) } });
    const other = instance();
    const push = await other.stkPush({
      transactionType: "CustomerPayBillOnline",
      amount: 10,
      phone: "254712345678",
      partyB: fake.shortcode,
      callbackUrl: "http://127.0.0.1:9/cb",
      accountReference: "SATTEST",
      transactionDesc: "Test",
    });
    expect(push.checkoutRequestId).toMatch(/^ws_CO_/);
    expect(fake.stats.oauth).toBe(2);
  });

  it("wrong consumer credentials are a typed auth error naming the settings", async () => {
    const err = await instance({ secret: "wrong" })
      .accessToken()
      .catch((e) => e);
    expect(err).toBeInstanceOf(DarajaError);
    expect(err.kind).toBe("auth");
    expect(err.message).toContain("MPESA_CONSUMER_KEY");
  });
});

describe("backoff", () => {
  it("retries an STK query through 429 and 503", async () => {
    const c = instance();
    const push = await c.stkPush({
      transactionType: "CustomerPayBillOnline",
      amount: 5,
      phone: "254712345678",
      partyB: fake.shortcode,
      callbackUrl: "http://127.0.0.1:9/cb",
      accountReference: "A",
      transactionDesc: "B",
    });
    fake.failNext("/mpesa/stkpushquery/v1/query", 429, 1);
    const pending = await c.stkQuery(push.checkoutRequestId);
    expect(pending).toEqual({ state: "pending", message: "The transaction is being processed" });
    fake.failNext("/mpesa/stkpushquery/v1/query", 503, 2);
    await fake.act(push.checkoutRequestId, "cancel");
    expect(await c.stkQuery(push.checkoutRequestId)).toMatchObject({ state: "final", resultCode: 1032, resultDesc: "Request cancelled by user" });
  });

  it("gives up with a typed error after the last attempt", async () => {
    const c = instance({ attempts: 2 });
    await c.accessToken();
    fake.failNext("/mpesa/stkpushquery/v1/query", 503, 5);
    const err = await c.stkQuery("ws_CO_x").catch((e) => e);
    expect(err).toBeInstanceOf(DarajaError);
    expect(err.kind).toBe("unavailable");
    fake.failNext("/mpesa/stkpushquery/v1/query", 503, 0);
  });

  it("never retries a push answered 500 (it may have reached the phone)", async () => {
    const c = instance();
    await c.accessToken();
    const before = fake.stats.push;
    fake.failNext("/mpesa/stkpush/v1/processrequest", 500, 1);
    const err = await c
      .stkPush({
        transactionType: "CustomerPayBillOnline",
        amount: 5,
        phone: "254712345678",
        partyB: fake.shortcode,
        callbackUrl: "http://127.0.0.1:9/cb",
        accountReference: "A",
        transactionDesc: "B",
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(DarajaError);
    expect(err.kind).toBe("unavailable");
    expect(fake.stats.push).toBe(before); // the failure answered before counting; no second attempt reached it
  });
});
