import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { fingerprint, type ProcessResult, type ReceiveResult, receiveWebhook, registerProcessor } from "@/lib/inbox/inbox";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { interledgerSettings } from "./config";
import { observeInterledger } from "./payment";
import { runningIlpSandbox } from "./sandbox";
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
    const sandbox = runningIlpSandbox();
    return sandbox ? (await sandbox).webhookSecret : null;
  }
  return null;
}

function withoutSignature(headers: Headers): Headers {
  const h = new Headers(headers);
  if (h.has(RAFIKI_SIGNATURE_HEADER)) h.set(RAFIKI_SIGNATURE_HEADER, "[redacted]");
  return h;
}

export async function handleInterledgerWebhook(headers: Headers, body: string, now?: Date): Promise<ReceiveResult> {
  const stored = withoutSignature(headers);
  const secret = await webhookSecret();
  if (!secret) {
    await receiveWebhook({
      provider: INTERLEDGER_PROVIDER,
      dedupKey: null,
      headers: stored,
      body,
      verified: false,
      verifyError: "OPEN_PAYMENTS_WEBHOOK_SECRET is not set",
    });
    throw new AppError("not_found", "Not found.");
  }
  const check = verifyRafikiSignature({ header: headers.get(RAFIKI_SIGNATURE_HEADER), rawBody: body, secret, now });
  if (!check.ok) {
    await receiveWebhook({ provider: INTERLEDGER_PROVIDER, dedupKey: null, headers: stored, body, verified: false, verifyError: check.reason });
    throw new AppError("unauthenticated", `Invalid Rafiki-Signature: ${check.reason}.`);
  }
  let parsed: z.output<typeof event>;
  try {
    const r = event.safeParse(JSON.parse(body));
    if (!r.success) throw new Error(`${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message}`);
    parsed = r.data;
  } catch (err) {
    const why = err instanceof SyntaxError ? "not JSON" : (err as Error).message;
    await receiveWebhook({ provider: INTERLEDGER_PROVIDER, dedupKey: null, headers: stored, body, verified: false, verifyError: `malformed body: ${why}` });
    throw new AppError("bad_request", `Expected a Rafiki event {id, type, data} (${why}).`);
  }
  return receiveWebhook({ provider: INTERLEDGER_PROVIDER, dedupKey: `event:${fingerprint(parsed.id)}`, headers: stored, body, verified: true });
}

/** The incoming payment an event is about: Rafiki sends its id (a UUID) or, in newer versions, the URL. */
function incomingPaymentRef(data: Record<string, unknown>): { id: string | null; checkoutId: string | null } {
  const inner = (data.incomingPayment && typeof data.incomingPayment === "object" ? data.incomingPayment : data) as Record<string, unknown>;
  const id = typeof inner.id === "string" && inner.id.length <= 500 ? inner.id : null;
  const meta = inner.metadata as Record<string, unknown> | undefined;
  const checkoutId = meta && typeof meta.checkoutId === "string" && meta.checkoutId.length <= 100 ? meta.checkoutId : null;
  return { id, checkoutId };
}

async function processInterledger(row: { body: string }): Promise<ProcessResult> {
  const e = event.parse(JSON.parse(row.body));
  if (!(HANDLED as readonly string[]).includes(e.type)) return { status: "ignored", checkoutId: null, note: `event ${e.type} is not one we act on` };
  const ref = incomingPaymentRef(e.data);
  if (!ref.id) return { status: "ignored", checkoutId: null, note: "no incoming payment id in the event" };
  const byUrl = ref.id.includes("/incoming-payments/")
    ? await db.ilpPayment.findUnique({ where: { incomingPaymentUrl: ref.id }, select: { checkoutId: true } })
    : /^[A-Za-z0-9-]{1,100}$/.test(ref.id)
      ? await db.ilpPayment.findFirst({ where: { incomingPaymentUrl: { endsWith: `/incoming-payments/${ref.id}` } }, select: { checkoutId: true } })
      : null;
  const checkoutId = byUrl?.checkoutId ?? null;
  if (!checkoutId) return { status: "ignored", checkoutId: null, note: "no checkout has this incoming payment" };
  if (ref.checkoutId && ref.checkoutId !== checkoutId)
    return { status: "ignored", checkoutId, note: "metadata.checkoutId does not match the incoming payment's checkout" };
  // Ask the wallet rather than trusting the event's amounts; an unreachable wallet fails the
  // row so a redelivery or an admin's replay finishes it (and the lifecycle polls anyway).
  const o = await observeInterledger(checkoutId);
  await emitEvent(EVENTS.activity, { checkoutId, source: "interledger-webhook" });
  return { status: "processed", checkoutId, note: `${e.type}: checkout ${o.changed ? "moved to" : "stays"} ${o.status}` };
}

registerProcessor(INTERLEDGER_PROVIDER, processInterledger);
