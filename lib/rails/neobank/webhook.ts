import "server-only";
import { db } from "@/lib/db/client";
import { fingerprint } from "@/lib/inbox/inbox";
import { log } from "@/lib/log";
import type { Fact, RailWebhook, WebhookParse } from "@/lib/rails/types";
import { NeobankError } from "./api";
import { neobankClient } from "./client";
import { neobankSettings } from "./config";
import { recordDeposit } from "./deposits";
import { type PaymentStatusReport, reportedMinor, TX_ID, WEBHOOK_STATUSES, type WebhookBody, webhookBody } from "./protocol";
import { reportFacts } from "./report";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "./signing";

// NEO Bank webhooks at /api/webhooks/neobank (the contract is in the README). The raw body is
// verified against X-Signature before anything else; every call is stored in the webhook
// inbox — forged, stale or malformed ones as rejected rows that never move anything — and a
// verified one is processed once per dedup key (the gateway's event id, else tx id + status),
// so a redelivery is answered 200 and changes nothing. The body is parsed once: verify hands
// what it parsed to parse (a replay parses the stored body again).

//
// Compat mode (NEOBANK_MODE=compat) speaks the user's earlier Bill Bitts integration: the
// gateway posts UNSIGNED {cprn, status, amount: "250.00", tx_id, currency} to
// /webhooks/neo-payment/ (app/webhooks/neo-payment/route.ts, which arrives here with the path
// segment "neo-payment") or to /api/webhooks/neobank. Anyone can send such a body, so it decides
// nothing: it is stored in the inbox (dedup key tx id + status + body hash, so a forger's
// different body never stands in for the gateway's), and processing asks the gateway itself —
// our RSA-signed GET /v1/payments/<tx_id> — and applies only what that answer says, exactly as
// a status query by the reconciler would. A tx id the gateway does not know moves nothing; one
// the gateway confirms that no checkout here started becomes an unmatched deposit for the
// admin worklist (lib/rails/neobank/deposits.ts). In signed mode the compat path answers 404
// with the reason and stores the call as rejected.

export const NEOBANK_PROVIDER = "neobank";
export const MAX_NEOBANK_BODY = 16 * 1024;
/** The Bill Bitts integration's webhook path (with its trailing slash). */
export const NEOBANK_COMPAT_PATH = "/webhooks/neo-payment/";
export const NEOBANK_COMPAT_SEGMENT = "neo-payment";

function parseBody(body: string): { ok: true; report: WebhookBody } | { ok: false; why: string } {
  try {
    const r = webhookBody.safeParse(JSON.parse(body));
    if (!r.success) return { ok: false, why: `${r.error.issues[0]?.path.join(".") || "body"}: ${r.error.issues[0]?.message}` };
    return { ok: true, report: r.data };
  } catch {
    return { ok: false, why: "not JSON" };
  }
}

export const neobankWebhook: RailWebhook = {
  provider: NEOBANK_PROVIDER,
  maxBody: MAX_NEOBANK_BODY,
  async verify({ path, headers, body, now }) {
    const settings = neobankSettings();
    const compatPath = path.length === 1 && path[0] === NEOBANK_COMPAT_SEGMENT;
    if (!settings.enabled || (path.length > 0 && !compatPath))
      return { ok: false, status: 404, message: "Not found.", verifyError: "NEO Bank is not enabled here", store: false };
    if (settings.mode === "compat") {
      // Unsigned by design: stored, then confirmed with the gateway before anything moves.
      const p = parseBody(body);
      if (!p.ok) return { ok: false, status: 400, message: `Expected a JSON body with tx_id and status (${p.why}).`, verifyError: `malformed body: ${p.why}` };
      return { ok: true, dedupKey: `compat:${p.report.tx_id}:${p.report.status}:${fingerprint(body)}`, payload: p.report };
    }
    if (compatPath)
      return {
        ok: false,
        status: 404,
        message: `NEO Bank compatibility mode is off: unsigned webhooks at ${NEOBANK_COMPAT_PATH} are not accepted. Send signed webhooks (X-Signature) to /api/webhooks/neobank, or set NEOBANK_MODE=compat.`,
        verifyError: `unsigned webhook at ${NEOBANK_COMPAT_PATH} while NEOBANK_MODE=signed`,
      };
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
    if (neobankSettings().mode === "compat") return confirmUnsigned(report);
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

const SUCCESS = new Set(["SUCCESS", "SETTLED"]);

/**
 * An unsigned report (compat mode): what it claims is only a reason to ask the gateway. The
 * facts come from the gateway's own answer to our signed status query; the report's status,
 * amount and CPRN are compared with it for the inbox note and the log, never applied.
 */
async function confirmUnsigned(report: WebhookBody): Promise<WebhookParse> {
  const payment = await db.neobankPayment.findUnique({
    where: { gatewayTxId: report.tx_id },
    select: { checkout: { select: { id: true, currency: true, expectedAmount: true, user: { select: { neobankProfile: { select: { cprn: true } } } } } } },
  });
  let q: PaymentStatusReport;
  try {
    q = await (await neobankClient()).getPayment(report.tx_id);
  } catch (err) {
    // Not known to the gateway: forged or mistaken. Anything else (unreachable, 5xx) fails the
    // row, so a redelivery, the reconciler or an admin's replay asks again.
    if (err instanceof NeobankError && err.kind === "not_found") {
      log.warn(
        { txId: report.tx_id, cprn: report.cprn, said: report.status },
        "NEO Bank: unsigned webhook for a tx id the gateway does not know; nothing moved",
      );
      return {
        checkoutId: payment?.checkout.id ?? null,
        facts: [],
        ignored: true,
        note: `unconfirmed: the gateway's status query does not know ${report.tx_id} (the webhook said ${report.status}); nothing moved`,
      };
    }
    throw err;
  }
  const disagreements: string[] = [];
  if (q.tx_id !== report.tx_id) disagreements.push(`the query answered for ${q.tx_id}`);
  if (q.status !== report.status) disagreements.push(`the webhook said ${report.status}, the gateway's status query says ${q.status}`);
  if (report.cprn && q.cprn && report.cprn !== q.cprn) disagreements.push(`the webhook named CPRN ${report.cprn}, the gateway ${q.cprn}`);
  const named = reportedMinor(report);
  const confirmed = reportedMinor({ ...q, currency: q.currency ?? report.currency });
  const amountDiffers = typeof named === "bigint" && typeof confirmed === "bigint" && named !== confirmed;
  if (amountDiffers) disagreements.push(`the webhook said ${report.amount}, the gateway ${q.amount ?? q.amount_minor}`);
  if (disagreements.length)
    log.warn({ txId: report.tx_id, disagreements }, "NEO Bank: unsigned webhook disagrees with the gateway's status query; only the query is applied");
  const unconfirmed = disagreements.length
    ? `unconfirmed (${disagreements.join("; ")}): applied what the gateway confirmed`
    : "confirmed by the gateway's status query";
  if (q.tx_id !== report.tx_id) return { checkoutId: payment?.checkout.id ?? null, facts: [], ignored: true, note: unconfirmed };

  if (payment) {
    const c = payment.checkout;
    const buyerCprn = c.user.neobankProfile?.cprn ?? null;
    if (q.cprn && buyerCprn && q.cprn !== buyerCprn) {
      const facts: Fact[] = [
        { kind: "attention", reason: `NEO Bank status query for ${q.tx_id} names CPRN ${q.cprn}, but this checkout's buyer has ${buyerCprn}; not applied` },
      ];
      return { checkoutId: c.id, facts, note: "CPRN mismatch: flagged" };
    }
    const r = await reportFacts(
      c,
      { ...q, currency: q.currency ?? report.currency },
      { via: "status query", creditOn: neobankSettings().creditOn, source: "webhook+query" },
    );
    // A claimed success the gateway contradicts (it says FAILED, or another amount) is flagged for
    // an admin; one it merely has not reached yet (still PENDING) is left to the next status query.
    const contradicted = SUCCESS.has(report.status) && (q.status === "FAILED" || amountDiffers);
    const flag: Fact[] = contradicted
      ? [
          {
            kind: "attention",
            reason: `an unsigned NEO Bank webhook for ${q.tx_id} claimed ${report.status}, but ${disagreements.join("; ")}; only the gateway's answer was applied`,
          },
        ]
      : [];
    return { checkoutId: c.id, facts: [...flag, ...r.facts], note: r.note ? `${unconfirmed}; ${r.note}` : unconfirmed };
  }

  // No checkout here has this tx id: money the gateway confirms on a buyer's CPRN becomes an
  // unmatched deposit for an admin (credited at once when NEOBANK_AUTO_CREDIT_DEPOSITS is on).
  const cprn = q.cprn ?? report.cprn;
  const creditOn = neobankSettings().creditOn;
  const isFinal = q.status === "SETTLED" || (q.status === "SUCCESS" && creditOn === "success");
  if (!SUCCESS.has(q.status) || !isFinal || !cprn)
    return {
      checkoutId: null,
      facts: [],
      ignored: true,
      note: `no checkout has gateway tx ${report.tx_id}; the gateway says ${q.status}${cprn ? "" : " and names no CPRN"}: ${SUCCESS.has(q.status) && cprn ? "waiting for SETTLED (NEOBANK_CREDIT_ON=settled)" : "nothing to record"}`,
    };
  const currency = (q.currency ?? report.currency ?? "").toUpperCase();
  if (typeof confirmed !== "bigint" || confirmed <= 0n || !/^[A-Z]{3}$/.test(currency))
    throw new Error(`the gateway confirmed deposit ${q.tx_id} without a valid amount and currency; an admin must look at it with NEO Bank`);
  const d = await recordDeposit({
    txId: q.tx_id,
    cprn,
    amountMinor: confirmed,
    currency,
    gatewayStatus: q.status,
    ...(disagreements.length ? { note: disagreements.join("; ") } : {}),
  });
  const who = d.userId ? `buyer ${d.userId}` : "no buyer here (unknown CPRN)";
  return {
    checkoutId: null,
    facts: [],
    ignored: true,
    note: `${d.created ? "unmatched deposit recorded" : "unmatched deposit already recorded"} (${d.id}, CPRN ${cprn}, ${who}, ${d.state}${d.credits ? `, ${d.credits} credits` : ""}); ${unconfirmed}`,
  };
}
