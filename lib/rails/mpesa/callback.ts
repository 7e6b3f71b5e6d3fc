// M-Pesa Express results, from the callback Daraja POSTs to our CallBackURL or from an STK
// query, turned into one outcome. The callback's published shape:
//   {"Body": {"stkCallback": {"MerchantRequestID", "CheckoutRequestID", "ResultCode": 0,
//     "ResultDesc", "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 1},
//     {"Name": "MpesaReceiptNumber", "Value": "RLA0R69NXM"}, {"Name": "Balance"},
//     {"Name": "TransactionDate", "Value": 20231210133416}, {"Name": "PhoneNumber", "Value": 254768130105}]}}}}
// CallbackMetadata only comes with ResultCode 0; items are read by Name (their order is not
// guaranteed) and Balance comes without a Value. Browser-safe, no I/O.

import { DARAJA_STK_RESULT_CODES } from "./result-codes";

export type MpesaOutcome =
  | { kind: "paid"; receipt: string | null; amount: number | null; phone: string | null; transactionDate: string | null }
  | { kind: "failed"; resultCode: number; buyerMessage: string };

export interface StkCallback {
  merchantRequestId: string;
  checkoutRequestId: string;
  resultCode: number;
  resultDesc: string;
  items: Map<string, string | number | null>;
  outcome: MpesaOutcome;
}

export class CallbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CallbackError";
  }
}

/** Plain-language messages for every ResultCode Daraja documents (result-codes.ts). */
export const BUYER_MESSAGES: Readonly<Record<number, string>> = Object.fromEntries(DARAJA_STK_RESULT_CODES.map((c) => [c.code, c.buyer]));

/** The outcome of a final ResultCode (0 → paid; anything else → failed with a message). */
export function outcomeFor(resultCode: number, resultDesc: string, items: Map<string, string | number | null> = new Map()): MpesaOutcome {
  if (resultCode === 0) {
    const amount = items.get("Amount");
    const receipt = items.get("MpesaReceiptNumber");
    const phone = items.get("PhoneNumber");
    const date = items.get("TransactionDate");
    return {
      kind: "paid",
      receipt: typeof receipt === "string" && receipt.trim() ? receipt.trim() : null,
      amount: amount === null || amount === undefined || !Number.isFinite(Number(amount)) ? null : Number(amount),
      phone: phone === null || phone === undefined ? null : String(phone),
      transactionDate: date === null || date === undefined ? null : String(date),
    };
  }
  const known = BUYER_MESSAGES[resultCode];
  const text = resultDesc.trim() || `result code ${resultCode}`;
  return { kind: "failed", resultCode, buyerMessage: known ?? `M-Pesa did not complete the payment: ${text}` };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses a callback body (already JSON-decoded). Throws CallbackError for anything that is not the published shape. */
export function parseStkCallback(body: unknown): StkCallback {
  const cb = isObject(body) && isObject(body.Body) ? body.Body.stkCallback : undefined;
  if (!isObject(cb)) throw new CallbackError('expected {"Body": {"stkCallback": {...}}}');
  const merchantRequestId = cb.MerchantRequestID;
  const checkoutRequestId = cb.CheckoutRequestID;
  if (typeof merchantRequestId !== "string" || !merchantRequestId || merchantRequestId.length > 100)
    throw new CallbackError("MerchantRequestID must be a string");
  if (typeof checkoutRequestId !== "string" || !/^[A-Za-z0-9_-]{1,100}$/.test(checkoutRequestId)) throw new CallbackError("CheckoutRequestID must be a string");
  const rawCode = cb.ResultCode;
  const resultCode =
    typeof rawCode === "number" && Number.isInteger(rawCode) ? rawCode : typeof rawCode === "string" && /^\d{1,6}$/.test(rawCode) ? Number(rawCode) : null;
  if (resultCode === null || resultCode < 0) throw new CallbackError("ResultCode must be a whole number");
  const resultDesc = typeof cb.ResultDesc === "string" ? cb.ResultDesc.slice(0, 500) : "";

  const items = new Map<string, string | number | null>();
  if (cb.CallbackMetadata !== undefined) {
    const list = isObject(cb.CallbackMetadata) ? cb.CallbackMetadata.Item : undefined;
    if (!Array.isArray(list)) throw new CallbackError("CallbackMetadata.Item must be a list");
    for (const item of list) {
      if (!isObject(item) || typeof item.Name !== "string") throw new CallbackError("every CallbackMetadata item needs a Name");
      const v = item.Value;
      items.set(item.Name, typeof v === "string" || typeof v === "number" ? v : null);
    }
  }
  const outcome = outcomeFor(resultCode, resultDesc, items);
  if (outcome.kind === "paid") {
    if (!outcome.receipt || !/^[A-Z0-9]{6,20}$/.test(outcome.receipt)) throw new CallbackError("a successful callback needs a MpesaReceiptNumber");
    if (outcome.amount === null || outcome.amount <= 0 || !Number.isInteger(outcome.amount))
      throw new CallbackError("a successful callback needs a whole-shilling Amount");
  }
  return { merchantRequestId, checkoutRequestId, resultCode, resultDesc, items, outcome };
}
