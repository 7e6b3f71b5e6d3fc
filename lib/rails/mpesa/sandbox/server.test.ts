import { afterAll, beforeAll, expect, it } from "vitest";
import { DarajaClient, memoryTokenStore } from "../daraja";
import { type FakeDaraja, startFakeDaraja } from "./server";

// The fake Daraja hands out CheckoutRequestIDs the way Daraja does: unique per prompt. Our
// MpesaPayment.checkoutRequestId is unique, so a repeated id would fail a buyer's checkout.

const creds = { consumerKey: "ck", consumerSecret: "cs", shortcode: "174379", passkey: "pk" };
let fake: FakeDaraja;

beforeAll(async () => {
  fake = await startFakeDaraja(creds);
});
afterAll(async () => {
  await fake.close();
});

it("gives every prompt its own CheckoutRequestID, even many to one phone in the same second", async () => {
  const client = new DarajaClient({ baseUrl: fake.url, tokens: memoryTokenStore(), ...creds });
  const push = () =>
    client.stkPush({
      transactionType: "CustomerPayBillOnline",
      amount: 10,
      phone: "254712345678",
      partyB: creds.shortcode,
      callbackUrl: "https://example.com/cb",
      accountReference: "SAT1",
      transactionDesc: "Test",
    });
  const ids = (await Promise.all(Array.from({ length: 300 }, push))).map((r) => r.checkoutRequestId);
  expect(new Set(ids).size).toBe(ids.length);
});
