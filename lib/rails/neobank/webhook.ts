import "server-only";
import { db } from "@/lib/db/client";
import { fingerprint } from "@/lib/inbox/inbox";
import type { RailWebhook } from "@/lib/rails/types";
import { neobankSettings } from "./config";
import { TX_ID, WEBHOOK_STATUSES, type WebhookBody, webhookBody } from "./protocol";
import { reportFacts } from "./report";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "./signing";

// NEO Bank webhooks at /api/webhooks/neobank (the contract is in the README). The raw body is
// verified against X-Signature before anything else; every call is stored in the webhook
// inbox — forged, stale or malformed ones as rejected rows that never move anything — and a
// verified one is processed once per dedup key (the gateway's event id, else tx id + status),
// so a redelivery is answered 200 and changes nothing. The body is parsed once: verify hands
// what it parsed to parse (a replay parses the stored body again).

export const NEOBANK_PROVIDER = "neobank";
export const MAX_NEOBANK_BODY = 16 * 1024;

export const neobankWebhook: RailWebhook = {
  provider: NEOBANK_PROVIDER,
  maxBody: MAX_NEOBANK_BODY,
  async verify({ path, headers, body, now }) {
    const settings = neobankSettings();
    if (!settings.enabled || path.length > 0)
      return { ok: false, status: 404, message: "Not found.", verifyError: "NEO Bank is not enabled here", store: false };
    const check = verifyWebhookSignature(headers.get(WEBHOOK_SIGNATURE_HEADER), body, settings.webhookSecret, {
      now: now ? Math.floor(now.getTime() / 1000) : undefined,
    });
    if (!check.ok) return { ok: false, status: 401, message: `Invalid X-Signature: ${check.message}.`, verifyError: check.message };
    let parsed: WebhookBody;
    try {
      const r = webhookBody.safeParse(JSON.parse(body));
      if (!r.success) throw new Error(`${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message}`);
      parsed = r.data;
    } catch (err) {
      const why = err instanceof SyntaxError ? "not JSON" : (err as Error).message;
      return { ok: false, status: 400, message: `Expected a JSON body with tx_id and status (${why}).`, verifyError: `malformed body: ${why}` };
    }
    const dedupKey = parsed.event_id ? `event:${fingerprint(parsed.event_id)}` : `tx:${parsed.tx_id}:${parsed.status}`;
    return { ok: true, dedupKey, payload: parsed };
  },
  async parse(row) {
    const report = (row.payload as WebhookBody | undefined) ?? webhookBody.parse(JSON.parse(row.body));
    if (!(WEBHOOK_STATUSES as readonly string[]).includes(report.status))
      return { checkoutId: null, facts: [], ignored: true, note: `status ${report.status} is not one we act on` };
    if (!TX_ID.test(report.tx_id)) return { checkoutId: null, facts: [], ignored: true, note: "tx_id is not a gateway id" };
    const payment = await db.neobankPayment.findUnique({
      where: { gatewayTxId: report.tx_id },
      select: { checkout: { select: { id: true, currency: true, expectedAmount: true } } },
    });
    if (!payment) {
      // The gateway may call before we stored the tx id it just returned: fail for now, so the
      // gateway's retry (or an admin's replay) finds it. A tx id nobody here created is ignored.
      if (report.reference) {
        const c = await db.checkout.findUnique({ where: { id: report.reference }, select: { rail: true, createdAt: true } });
        if (c?.rail === "neobank" && Date.now() - c.createdAt.getTime() < 15 * 60_000)
          throw new Error(`no payment recorded yet for ${report.tx_id} (checkout ${report.reference}); retry later`);
      }
      return { checkoutId: null, facts: [], ignored: true, note: `no checkout has gateway tx ${report.tx_id}` };
    }
    const r = await reportFacts(payment.checkout, report, { via: "webhook", creditOn: neobankSettings().creditOn, source: "webhook" });
    return { checkoutId: payment.checkout.id, facts: r.facts, ...(r.note ? { note: r.note } : {}) };
  },
};
