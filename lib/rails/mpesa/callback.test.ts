import { describe, expect, it } from "vitest";
import { BUYER_MESSAGES, CallbackError, outcomeFor, parseStkCallback } from "./callback";

const success = {
  Body: {
    stkCallback: {
      MerchantRequestID: "29115-34620561-1",
      CheckoutRequestID: "ws_CO_191220191020363925",
      ResultCode: 0,
      ResultDesc: "The service request is processed successfully.",
      CallbackMetadata: {
        Item: [
          { Name: "Amount", Value: 2590 },
          { Name: "MpesaReceiptNumber", Value: "NLJ7RT61SV" },
          { Name: "Balance" },
          { Name: "TransactionDate", Value: 20191219102115 },
          { Name: "PhoneNumber", Value: 254708374149 },
        ],
      },
    },
  },
};

const failure = (code: number, desc: string) => ({
  Body: { stkCallback: { MerchantRequestID: "29115-34620561-1", CheckoutRequestID: "ws_CO_191220191020363925", ResultCode: code, ResultDesc: desc } },
});

describe("parseStkCallback", () => {
  it("reads a success by item Name (Balance has no Value)", () => {
    const cb = parseStkCallback(success);
    expect(cb).toMatchObject({ merchantRequestId: "29115-34620561-1", checkoutRequestId: "ws_CO_191220191020363925", resultCode: 0 });
    expect(cb.items.get("Balance")).toBeNull();
    expect(cb.outcome).toEqual({ kind: "paid", receipt: "NLJ7RT61SV", amount: 2590, phone: "254708374149", transactionDate: "20191219102115" });
  });

  it("does not depend on the order of the items", () => {
    const shuffled = structuredClone(success);
    shuffled.Body.stkCallback.CallbackMetadata.Item.reverse();
    expect(parseStkCallback(shuffled).outcome).toMatchObject({ kind: "paid", receipt: "NLJ7RT61SV", amount: 2590 });
  });

  it.each([
    [1032, "Request cancelled by user", "You cancelled the M-Pesa prompt"],
    [1037, "DS timeout user cannot be reached", "could not reach your phone"],
    [2001, "The initiator information is invalid.", "PIN entered was wrong"],
    [1, "The balance is insufficient for the transaction.", "balance is too low"],
    [1019, "Transaction has expired", "prompt expired"],
  ])("ResultCode %i → failed with a plain-language message", (code, desc, text) => {
    const cb = parseStkCallback(failure(code, desc));
    expect(cb.outcome.kind).toBe("failed");
    if (cb.outcome.kind !== "failed") return;
    expect(cb.outcome.resultCode).toBe(code);
    expect(cb.outcome.buyerMessage).toContain(text);
    expect(cb.outcome.buyerMessage).toBe(BUYER_MESSAGES[code]);
  });

  it("an unknown code fails with the provider's text", () => {
    const cb = parseStkCallback(failure(4321, "Some new Daraja failure"));
    expect(cb.outcome).toEqual({
      kind: "failed",
      resultCode: 4321,
      buyerMessage: "M-Pesa did not complete the payment: Some new Daraja failure",
    });
    expect(outcomeFor(4322, "")).toMatchObject({ kind: "failed", buyerMessage: "M-Pesa did not complete the payment: result code 4322" });
  });

  it("accepts ResultCode as a string (STK query answers use strings)", () => {
    expect(parseStkCallback(failure("1032" as unknown as number, "Request cancelled by user")).resultCode).toBe(1032);
  });

  it.each([
    ["not the Body shape", { stkCallback: {} }],
    ["no CheckoutRequestID", { Body: { stkCallback: { MerchantRequestID: "1", ResultCode: 0 } } }],
    ["a bad ResultCode", { Body: { stkCallback: { MerchantRequestID: "1", CheckoutRequestID: "ws_CO_1", ResultCode: "zero" } } }],
    ["items without a list", { Body: { stkCallback: { MerchantRequestID: "1", CheckoutRequestID: "ws_CO_1", ResultCode: 1032, CallbackMetadata: {} } } }],
    [
      "success without a receipt",
      {
        Body: {
          stkCallback: { MerchantRequestID: "1", CheckoutRequestID: "ws_CO_1", ResultCode: 0, CallbackMetadata: { Item: [{ Name: "Amount", Value: 1 }] } },
        },
      },
    ],
    [
      "success without an amount",
      {
        Body: {
          stkCallback: {
            MerchantRequestID: "1",
            CheckoutRequestID: "ws_CO_1",
            ResultCode: 0,
            CallbackMetadata: { Item: [{ Name: "MpesaReceiptNumber", Value: "NLJ7RT61SV" }] },
          },
        },
      },
    ],
    ["null", null],
  ])("refuses %s", (_what, body) => {
    expect(() => parseStkCallback(body)).toThrow(CallbackError);
  });
});
