import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { fingerprint } from "@/lib/inbox/inbox";
import type { RailWebhook } from "@/lib/rails/types";
import { interledgerSettings } from "./config";
import { observeInterledger } from "./payment";
import { interledgerSandbox } from "./sandbox-gate";
import { RAFIKI_SIGNATURE_HEADER, verifyRafikiSignature } from "./webhook-signature";

// Rafiki's webhooks at /api/webhooks/interledger, for merchants whose wallet runs on Rafiki.
// The raw body is verified against Rafiki-Signature (HMAC-SHA256 with
// OPEN_PAYMENTS_WEBHOOK_SECRET, 300 s tolerance) before anything else. Every call is stored
// in the webhook inbox — forged, stale, tampered or malformed ones as rejected rows that move
// nothing — and a verified event is processed once per event id. An event is only a hint:
// processing asks the wallet about the incoming payment (observeInterledger) rather than
// trusting the amounts in the body.

export const INTERLEDGER_PROVIDER = "interledger";
export const MAX_INTERLEDGER_BODY = 32 * 1024;

const HANDLED = ["incoming_payment.completed", "incoming_payment.expired", "incoming_payment.created"] as const;

const event = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()),
});

/** The signing secret: the configured one, or in the sandbox the sandbox's own. */
async function webhookSecret(): Promise<string | null> {
  const s = interledgerSettings();
  if (s.webhookSecret) return s.webhookSecret;
  if (s.mode === "sandbox") {
    const sandbox = (await interledgerSandbox())?.runningIlpSandbox();
    return sandbox ? (await sandbox).webhookSecret : null;
  }
  return null;
}

/** The incoming payment an event is about: Rafiki sends its id (a UUID) or, in newer versions, the URL. */
function incomingPaymentRef(data: Record<string, unknown>): { id: string | null; checkoutId: string | null } {
  const inner = (data.incomingPayment && typeof data.incomingPayment === "object" ? data.incomingPayment : data) as Record<string, unknown>;
  const id = typeof inner.id === "string" && inner.id.length <= 500 ? inner.id : null;
  const meta = inner.metadata as Record<string, unknown> | undefined;
  const checkoutId = meta && typeof meta.checkoutId === "string" && meta.checkoutId.length <= 100 ? meta.checkoutId : null;
  return { id, checkoutId };
}

export const interledgerWebhook: RailWebhook = {
  provider: INTERLEDGER_PROVIDER,
  maxBody: MAX_INTERLEDGER_BODY,
  async verify({ path, headers, body, now }) {
    // Rafiki-Signature is redacted by the inbox like every *-signature header.
    const secret = await webhookSecret();
    if (!secret || path.length > 0) return { ok: false, status: 404, message: "Not found.", verifyError: "OPEN_PAYMENTS_WEBHOOK_SECRET is not set" };
    const check = verifyRafikiSignature({ header: headers.get(RAFIKI_SIGNATURE_HEADER), rawBody: body, secret, now });
    if (!check.ok) return { ok: false, status: 401, message: `Invalid Rafiki-Signature: ${check.reason}.`, verifyError: check.reason };
    let parsed: z.output<typeof event>;
    try {
      const r = event.safeParse(JSON.parse(body));
      if (!r.success) throw new Error(`${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message}`);
      parsed = r.data;
    } catch (err) {
      const why = err instanceof SyntaxError ? "not JSON" : (err as Error).message;
      return { ok: false, status: 400, message: `Expected a Rafiki event {id, type, data} (${why}).`, verifyError: `malformed body: ${why}` };
    }
    return { ok: true, dedupKey: `event:${fingerprint(parsed.id)}`, payload: parsed };
  },
  async parse(row) {
    const e = (row.payload as z.output<typeof event> | undefined) ?? event.parse(JSON.parse(row.body));
    if (!(HANDLED as readonly string[]).includes(e.type)) return { checkoutId: null, facts: [], ignored: true, note: `event ${e.type} is not one we act on` };
    const ref = incomingPaymentRef(e.data);
    if (!ref.id) return { checkoutId: null, facts: [], ignored: true, note: "no incoming payment id in the event" };
    const byUrl = ref.id.includes("/incoming-payments/")
      ? await db.ilpPayment.findUnique({ where: { incomingPaymentUrl: ref.id }, select: { checkoutId: true } })
      : /^[A-Za-z0-9-]{1,100}$/.test(ref.id)
        ? await db.ilpPayment.findFirst({ where: { incomingPaymentUrl: { endsWith: `/incoming-payments/${ref.id}` } }, select: { checkoutId: true } })
        : null;
    const checkoutId = byUrl?.checkoutId ?? null;
    if (!checkoutId) return { checkoutId: null, facts: [], ignored: true, note: "no checkout has this incoming payment" };
    if (ref.checkoutId && ref.checkoutId !== checkoutId)
      return { checkoutId, facts: [], ignored: true, note: "metadata.checkoutId does not match the incoming payment's checkout" };
    // Ask the wallet rather than trusting the event's amounts; an unreachable wallet fails the
    // row so a redelivery or an admin's replay finishes it (and the lifecycle polls anyway).
    const c = await db.checkout.findUniqueOrThrow({ where: { id: checkoutId }, select: { id: true, status: true } });
    const o = await observeInterledger(c);
    return { checkoutId, facts: o.facts, note: `${e.type}: the wallet reports ${o.facts.map((f) => f.kind).join(", ") || "nothing new"}`, wake: true };
  },
};
