import { describe, expect, it } from "vitest";
import { messagesFor } from "@/lib/i18n/messages";
import { outcomeFor } from "./callback";
import { DARAJA_STK_RESULT_CODES } from "./result-codes";

// Every ResultCode Daraja documents for M-Pesa Express has plain words for the buyer, in every
// language the checkout speaks, and the callback/STK-query path uses them instead of Daraja's text.

// The documented failure codes (Daraja portal, M-Pesa Express result codes); 0 is success.
const DOCUMENTED = [1, 17, 26, 1001, 1019, 1025, 1032, 1037, 2001, 2028, 8006, 9999];

type Tree = { [k: string]: string | Tree };
const codesIn = (locale: "en" | "sw") => ((messagesFor(locale) as Tree).checkout as Tree).mpesaCodes as Record<string, string>;

describe("Daraja STK result codes", () => {
  it("the list covers every documented failure code, once", () => {
    expect(DARAJA_STK_RESULT_CODES.map((c) => c.code).sort((a, b) => a - b)).toEqual(DOCUMENTED);
  });

  it.each(DOCUMENTED)("ResultCode %i fails with a plain message, not Daraja's text", (code) => {
    const entry = DARAJA_STK_RESULT_CODES.find((c) => c.code === code)!;
    const outcome = outcomeFor(code, entry.daraja);
    expect(outcome).toEqual({ kind: "failed", resultCode: code, buyerMessage: entry.buyer });
    expect(entry.buyer).not.toContain(entry.daraja);
    expect(entry.buyer).not.toMatch(/did not complete the payment: /);
  });

  it.each(["en", "sw"] as const)("%s has a message for every documented code", (locale) => {
    const messages = codesIn(locale);
    for (const code of DOCUMENTED) {
      const text = messages[String(code)];
      expect(text, `${locale} checkout.mpesaCodes.${code}`).toBeTruthy();
      expect(text!.length).toBeGreaterThan(20);
    }
    expect(
      Object.keys(messages)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(DOCUMENTED);
  });

  it("the English page messages are the buyer messages the rail records", () => {
    const en = codesIn("en");
    for (const c of DARAJA_STK_RESULT_CODES) expect(en[String(c.code)]).toBe(c.buyer);
  });

  it("Swahili is a translation, not a copy of the English", () => {
    const en = codesIn("en");
    const sw = codesIn("sw");
    for (const code of DOCUMENTED) expect(sw[String(code)]).not.toBe(en[String(code)]);
  });
});
