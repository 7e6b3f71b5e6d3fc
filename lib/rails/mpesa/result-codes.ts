// The ResultCodes Daraja documents for M-Pesa Express (STK push) callbacks and STK queries,
// with the ResultDesc Safaricom sends and the words a buyer sees. Sources: Safaricom's Daraja
// portal (developer.safaricom.co.ke, M-Pesa Express "Result codes") and the common-error
// tables integrators keep for it. The buyer's words also live in lib/i18n/messages/*.json
// (checkout.mpesaCodes) in every language; result-codes.test.ts holds the three lists
// together. Browser-safe, no I/O.

export interface DarajaResultCode {
  code: number;
  /** What Daraja says (ResultDesc), for admins and logs. */
  daraja: string;
  /** What the buyer reads (English). */
  buyer: string;
}

export const DARAJA_STK_RESULT_CODES: readonly DarajaResultCode[] = [
  {
    code: 1,
    daraja: "The balance is insufficient for the transaction.",
    buyer: "Your M-Pesa balance is too low for this payment. Top up your M-Pesa account, then try again.",
  },
  {
    code: 17,
    daraja: "Rule limited / Party B unable to process the transaction.",
    buyer: "M-Pesa could not complete this payment right now (too many similar requests or the shop's till is busy). Wait a minute, then try again.",
  },
  {
    code: 26,
    daraja: "System busy / traffic blocking condition in place.",
    buyer: "M-Pesa is busy right now. Nothing was charged — wait a minute, then try again.",
  },
  {
    code: 1001,
    daraja: "Unable to lock subscriber, a transaction is already in process for the current subscriber.",
    buyer: "Another M-Pesa transaction is still open on your phone. Finish or cancel it, wait a minute or two, then try again.",
  },
  {
    code: 1019,
    daraja: "Transaction has expired.",
    buyer: "The M-Pesa prompt expired before it was answered. Try again and enter your PIN when the prompt appears.",
  },
  {
    code: 1025,
    daraja: "An error occurred while sending a push request.",
    buyer: "M-Pesa could not send the prompt to your phone. Nothing was charged — check the number is a Safaricom M-Pesa line, then try again.",
  },
  {
    code: 1032,
    daraja: "Request cancelled by user.",
    buyer: "You cancelled the M-Pesa prompt on your phone. Nothing was charged.",
  },
  {
    code: 1037,
    daraja: "DS timeout user cannot be reached.",
    buyer: "We could not reach your phone. Check that it is on, has network and is unlocked, then try again.",
  },
  {
    code: 2001,
    daraja: "The initiator information is invalid.",
    buyer: "The M-Pesa PIN entered was wrong. Nothing was charged — try again with the right PIN.",
  },
  {
    code: 2028,
    daraja: "The request is not permitted according to product assignment.",
    buyer: "This shop's M-Pesa account cannot take this payment right now. Nothing was charged — please pay another way or contact the shop.",
  },
  {
    code: 8006,
    daraja: "The security credential is locked.",
    buyer: "Your M-Pesa PIN is locked after too many wrong tries. Unlock it with Safaricom (dial *334# or call 100), then try again.",
  },
  {
    code: 9999,
    daraja: "An error occurred while sending a push request.",
    buyer: "M-Pesa could not send the prompt to your phone. Nothing was charged — wait a moment, then try again.",
  },
];
