import { describe, expect, it } from "vitest";
import { accountReference, darajaTimestamp, stkPassword, transactionDesc } from "./daraja";
import { maskPhone, normalizeKenyanPhone, PhoneError } from "./phone";

describe("darajaTimestamp (YYYYMMDDHHmmss, Africa/Nairobi)", () => {
  it("is UTC+3", () => {
    expect(darajaTimestamp(new Date("2026-11-23T09:05:07Z"))).toBe("20261123120507");
  });
  it("rolls over to the next day (and month and year) in Nairobi before UTC does", () => {
    expect(darajaTimestamp(new Date("2026-11-23T21:30:00Z"))).toBe("20261124003000");
    expect(darajaTimestamp(new Date("2026-11-30T22:00:01Z"))).toBe("20261201010001");
    expect(darajaTimestamp(new Date("2026-12-31T23:59:59Z"))).toBe("20270101025959");
  });
  it("stays on the same day just before the Nairobi midnight", () => {
    expect(darajaTimestamp(new Date("2026-11-23T20:59:59Z"))).toBe("20261123235959");
  });
  it("uses 00 for midnight, never 24", () => {
    expect(darajaTimestamp(new Date("2026-11-23T21:00:00Z"))).toBe("20261124000000");
  });
});

describe("stkPassword", () => {
  it("is base64(shortcode + passkey + timestamp)", () => {
    const passkey = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
    const pw = stkPassword("174379", passkey, "20160216165627");
    expect(Buffer.from(pw, "base64").toString()).toBe(`174379${passkey}20160216165627`);
    expect(pw).toBe("MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3");
  });
});

describe("AccountReference and TransactionDesc limits", () => {
  it("keeps AccountReference to 12 letters/digits", () => {
    expect(accountReference("SATcm3x9k2l0a8b7")).toBe("SATCM3X9K2L0");
    expect(accountReference("a-b c")).toBe("ABC");
    expect(accountReference("---")).toBe("SATCHEL");
  });
  it("keeps TransactionDesc to 1–13 characters", () => {
    expect(transactionDesc("Medium")).toBe("Medium");
    expect(transactionDesc("Extra large credits pack")).toBe("Extra large c");
    expect(transactionDesc("Extra large credits pack").length).toBeLessThanOrEqual(13);
    expect(transactionDesc("!!!")).toBe("Payment");
  });
});

describe("normalizeKenyanPhone", () => {
  it.each([
    ["0712345678", "254712345678"],
    ["712345678", "254712345678"],
    ["+254712345678", "254712345678"],
    ["254712345678", "254712345678"],
    ["0712 345 678", "254712345678"],
    ["+254 (712) 345-678", "254712345678"],
    ["0110345678", "254110345678"],
    ["0115345678", "254115345678"],
    ["+254111345678", "254111345678"],
    ["254112345678", "254112345678"],
    ["111345678", "254111345678"],
  ])("%s → %s", (input, msisdn) => {
    expect(normalizeKenyanPhone(input)).toBe(msisdn);
  });

  it.each([
    ["", /Enter the M-Pesa phone number/],
    ["   ", /Enter the M-Pesa phone number/],
    ["07123", /Safaricom M-Pesa number/],
    ["07123456789", /Safaricom M-Pesa number/],
    ["0612345678", /Safaricom M-Pesa number/],
    ["0100345678", /Safaricom M-Pesa number/], // 010x: not Safaricom
    ["0116345678", /Safaricom M-Pesa number/],
    ["+255712345678", /Kenyan numbers only/],
    ["+1 415 555 0100", /Kenyan numbers only/],
    ["07l2345678", /only digits/],
    ["2547123456789", /Safaricom M-Pesa number/],
  ])("refuses %j", (input, message) => {
    expect(() => normalizeKenyanPhone(input)).toThrow(PhoneError);
    expect(() => normalizeKenyanPhone(input)).toThrow(message);
  });

  it("masks for display", () => {
    expect(maskPhone("254712345678")).toBe("0712…678");
    expect(maskPhone("254110345123")).toBe("0110…123");
  });
});
