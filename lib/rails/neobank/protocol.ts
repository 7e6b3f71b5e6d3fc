import { z } from "zod";
import { minorDigits } from "@/lib/format";

// The gateway's wire format, shared by our client, the webhook route and the sandbox. It
// follows the Bill Bitts / NEO Bank integration the user ran before (registration returns
// {"cprn": "CPRN-ABC123", "status": "success"}, payment initiation {"tx_id": "TXN-XYZ789",
// "status": ...}, webhooks {"cprn", "status", "amount": "250.00", "tx_id", "currency"}),
// with what that integration left open defined here and in the README contract:
//
//   POST /v1/registrations       {external_id, email, name?, web3_wallet_address?} → 201 {cprn, status, web3_wallet_address}
//   GET  /v1/registrations/:cprn → {cprn, status, web3_wallet_address}
//   POST /v1/payments            {cprn, amount (integer minor units), currency, reference (our
//                                 checkout id), description, return_url, callback_url,
//                                 expires_at?, web3_wallet_address?} → 201 {tx_id, status: "CREATED", payment_url}
//                                (compat mode: amount is the decimal string "20.00", and the answer
//                                may be {tx_id, status: "pending"} with no payment_url)
//   GET  /v1/payments/:tx_id     → {tx_id, status, amount ("20.00"), amount_minor?, currency, reference, cprn, failure_reason?}
//
// Every request carries X-API-Key and X-Request-Signature (lib/rails/neobank/signing.ts);
// POSTs carry an Idempotency-Key, so a retried POST never creates a second profile or
// payment. Errors are {"error": {"code", "message"}} with an HTTP status.

export const GATEWAY_STATUSES = ["CREATED", "PENDING", "SUCCESS", "SETTLED", "FAILED"] as const;
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];

/** The statuses a webhook may move a checkout with. */
export const WEBHOOK_STATUSES = ["PENDING", "SUCCESS", "SETTLED", "FAILED"] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** How far along a status is, so a late, out-of-order report never moves lastStatus back. */
export const STATUS_RANK: Record<string, number> = { CREATED: 0, PENDING: 1, SUCCESS: 2, SETTLED: 3, FAILED: 3 };

const status = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((s) => s.toUpperCase());

export const CPRN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
export const TX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;
export const WEB3_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export const registrationRequest = z.object({
  external_id: z.string().min(1).max(100),
  email: z.email(),
  name: z.string().max(200).optional(),
  web3_wallet_address: z.string().regex(WEB3_ADDRESS).optional(),
});
export type RegistrationRequest = z.infer<typeof registrationRequest>;

export const registrationResponse = z.object({
  cprn: z.string().regex(CPRN),
  status: z.string(),
  web3_wallet_address: z.string().nullable().optional(),
});
export type Registration = z.infer<typeof registrationResponse>;

export const paymentRequest = z.object({
  cprn: z.string().regex(CPRN),
  /** Integer minor units (signed mode), or the decimal string of the Bill Bitts integration ("500.00", compat mode). */
  amount: z.union([z.number().int().positive().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,15}(\.\d{1,4})?$/)]),
  currency: z.string().regex(/^[A-Z]{3}$/),
  reference: z.string().min(1).max(100),
  description: z.string().max(200),
  return_url: z.url(),
  callback_url: z.url(),
  expires_at: z.iso.datetime().optional(),
  web3_wallet_address: z.string().regex(WEB3_ADDRESS).optional(),
});
export type PaymentRequest = z.infer<typeof paymentRequest>;

/** The Bill Bitts integration's gateway answers {tx_id, status: "pending"} with no page: the buyer approves in the NEO Bank app. */
export const paymentCreated = z.object({
  tx_id: z.string().regex(TX_ID),
  status,
  payment_url: z.url().nullish(),
});
export type PaymentCreated = z.infer<typeof paymentCreated>;

export const paymentStatus = z.object({
  tx_id: z.string().regex(TX_ID),
  status,
  amount: z.string().max(40).optional(),
  amount_minor: z.number().int().nonnegative().optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/)
    .optional(),
  reference: z.string().max(100).optional(),
  cprn: z.string().max(64).optional(),
  failure_reason: z.string().max(500).nullable().optional(),
});
export type PaymentStatusReport = z.infer<typeof paymentStatus>;

/** A webhook body: the payment status fields plus the event's own id and time. */
export const webhookBody = paymentStatus.extend({
  event_id: z.string().min(1).max(200).optional(),
  created_at: z.string().max(40).optional(),
});
export type WebhookBody = z.infer<typeof webhookBody>;

export const gatewayError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/**
 * The amount a report names, in the currency's minor units: amount_minor and/or the decimal
 * string ("250.00", "250") converted exactly. "absent" when it names none; "invalid" when the
 * string is not a plain amount of the currency (a sign, an exponent, more decimals than the
 * currency has, no currency) or the two disagree — such a report never moves money.
 */
export function reportedMinor(r: Pick<PaymentStatusReport, "amount" | "amount_minor" | "currency">): bigint | "absent" | "invalid" {
  const minor = r.amount_minor !== undefined ? BigInt(r.amount_minor) : null;
  if (r.amount === undefined) return minor ?? "absent";
  const parsed = r.currency ? decimalToMinor(r.amount, r.currency) : null;
  if (parsed === null || (minor !== null && minor !== parsed)) return "invalid";
  return parsed;
}

/** "20.00" USD → 2000n; null unless it is digits with at most the currency's decimals ("5.001", "-5.00", "1e3", " 5" are null). */
export function decimalToMinor(amount: string, currency: string): bigint | null {
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(amount);
  if (!m) return null;
  const digits = minorDigits(currency);
  const frac = m[2] ?? "";
  if (frac.length > digits) return null;
  return BigInt(m[1]!) * 10n ** BigInt(digits) + BigInt(frac.padEnd(digits, "0") || "0");
}

/** 2000n USD → "20.00". */
export function minorToDecimal(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return minor.toString();
  const s = minor.toString().padStart(digits + 1, "0");
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** The checkout's amount unit for a currency's minor units: "USD cents", "JPY", "KWD minor units". */
export function minorUnitName(currency: string): string {
  const digits = minorDigits(currency);
  return digits === 0 ? currency : digits === 2 ? `${currency} cents` : `${currency} minor units`;
}
