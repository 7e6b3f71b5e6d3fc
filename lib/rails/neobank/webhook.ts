import "server-only";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { fingerprint, type ProcessResult, type ReceiveResult, receiveWebhook, registerProcessor } from "@/lib/inbox/inbox";
import { applyGatewayReport } from "./apply";
import { neobankSettings } from "./config";
import { TX_ID, WEBHOOK_STATUSES, type WebhookBody, webhookBody } from "./protocol";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "./signing";

// NEO Bank webhooks at /api/webhooks/neobank (the contract is in the README). The raw body is
// verified against X-Signature before anything else; every call is stored in the webhook
// inbox — forged, stale or malformed ones as rejected rows that never move anything — and a
// verified one is processed once per dedup key (the gateway's event id, else tx id + status),
// so a redelivery is answered 200 and changes nothing.

export const NEOBANK_PROVIDER = "neobank";
export const MAX_NEOBANK_BODY = 16 * 1024;

export async function handleNeobankWebhook(headers: Headers, body: string, now?: number): Promise<ReceiveResult> {
  const settings = neobankSettings();
  if (!settings.enabled) throw new AppError("not_found", "Not found.");
  const check = verifyWebhookSignature(headers.get(WEBHOOK_SIGNATURE_HEADER), body, settings.webhookSecret, { now });
  if (!check.ok) {
    await receiveWebhook({ provider: NEOBANK_PROVIDER, dedupKey: null, headers, body, verified: false, verifyError: check.message });
    throw new AppError("unauthenticated", `Invalid X-Signature: ${check.message}.`);
  }
  let parsed: WebhookBody;
  try {
    const r = webhookBody.safeParse(JSON.parse(body));
    if (!r.success) throw new Error(`${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message}`);
    parsed = r.data;
  } catch (err) {
    const why = err instanceof SyntaxError ? "not JSON" : (err as Error).message;
    await receiveWebhook({ provider: NEOBANK_PROVIDER, dedupKey: null, headers, body, verified: false, verifyError: `malformed body: ${why}` });
    throw new AppError("bad_request", `Expected a JSON body with tx_id and status (${why}).`);
  }
  const dedupKey = parsed.event_id ? `event:${fingerprint(parsed.event_id)}` : `tx:${parsed.tx_id}:${parsed.status}`;
  return receiveWebhook({ provider: NEOBANK_PROVIDER, dedupKey, headers, body, verified: true });
}

/** Processing a stored, verified webhook: the status moves the checkout paying that tx. */
async function processNeobank(row: { body: string }): Promise<ProcessResult> {
  const report = webhookBody.parse(JSON.parse(row.body));
  if (!(WEBHOOK_STATUSES as readonly string[]).includes(report.status))
    return { status: "ignored", checkoutId: null, note: `status ${report.status} is not one we act on` };
  if (!TX_ID.test(report.tx_id)) return { status: "ignored", checkoutId: null, note: "tx_id is not a gateway id" };
  const payment = await db.neobankPayment.findUnique({ where: { gatewayTxId: report.tx_id }, select: { checkoutId: true } });
  if (!payment) {
    // The gateway may call before we stored the tx id it just returned: fail for now, so the
    // gateway's retry (or an admin's replay) finds it. A tx id nobody here created is ignored.
    if (report.reference) {
      const c = await db.checkout.findUnique({ where: { id: report.reference }, select: { rail: true, createdAt: true } });
      if (c?.rail === "neobank" && Date.now() - c.createdAt.getTime() < 15 * 60_000)
        throw new Error(`no payment recorded yet for ${report.tx_id} (checkout ${report.reference}); retry later`);
    }
    return { status: "ignored", checkoutId: null, note: `no checkout has gateway tx ${report.tx_id}` };
  }
  const r = await applyGatewayReport(payment.checkoutId, report, { cause: "webhook", creditOn: neobankSettings().creditOn, source: "webhook" });
  return { status: "processed", checkoutId: payment.checkoutId, note: r.note };
}

registerProcessor(NEOBANK_PROVIDER, processNeobank);
