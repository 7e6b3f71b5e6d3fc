// Kenyan M-Pesa phone numbers → the MSISDN Daraja wants (2547XXXXXXXX or 25411XXXXXXX).
// Accepted: 07XXXXXXXX, 7XXXXXXXX, +2547XXXXXXXX, 2547XXXXXXXX, and Safaricom's newer
// 0110–0115 range in the same four shapes (0111…, 111…, +254111…, 254111…). Spaces, dashes,
// dots and brackets are ignored. Anything else is refused with a message a buyer can act on.
// Browser-safe (the buy form may use it too).

export class PhoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PhoneError";
  }
}

const SUBSCRIBER = /^(7\d{8}|11[0-5]\d{6})$/;

export function normalizeKenyanPhone(input: string): string {
  const raw = String(input ?? "").trim();
  if (!raw) throw new PhoneError("Enter the M-Pesa phone number to send the payment prompt to, e.g. 0712 345 678.");
  const compact = raw.replace(/[\s\-.()]/g, "");
  if (!/^\+?\d+$/.test(compact)) throw new PhoneError("A phone number has only digits, e.g. 0712 345 678 or +254 712 345 678.");
  let subscriber: string | null = null;
  if (compact.startsWith("+254")) subscriber = compact.slice(4);
  else if (compact.startsWith("+")) throw new PhoneError("M-Pesa here works with Kenyan numbers only (+254…).");
  else if (compact.startsWith("254") && compact.length === 12) subscriber = compact.slice(3);
  else if (compact.startsWith("0") && compact.length === 10) subscriber = compact.slice(1);
  else if (compact.length === 9) subscriber = compact;
  if (subscriber === null || !SUBSCRIBER.test(subscriber))
    throw new PhoneError("Enter a Safaricom M-Pesa number such as 0712 345 678, 0110 345 678 or +254 712 345 678.");
  return `254${subscriber}`;
}

/** 254712345678 → "0712…678": enough for the buyer to recognise, not enough to leak it. */
export function maskPhone(msisdn: string): string {
  const local = msisdn.startsWith("254") ? `0${msisdn.slice(3)}` : msisdn;
  return `${local.slice(0, 4)}…${local.slice(-3)}`;
}
