import "server-only";
import { applyFacts } from "@/lib/checkouts/apply";
import { AppError, type ErrorCode } from "@/lib/errors";
import { type ReceiveResult, receiveWebhook, registerProcessor } from "@/lib/inbox/inbox";
import { clientIp } from "@/lib/net/client-ip";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";
import { RAILS } from "@/lib/rails/registry";
import type { RailWebhook, WebhookRequest } from "@/lib/rails/types";

// The one webhook entry for every provider (/api/webhooks/<provider>/…): the raw body goes
// through the rail's verify (token, signature, shape → a dedup key or a rejection), into the
// inbox (stored raw before anything else; a redelivery is the same row), then the rail's
// parse turns the stored call into facts about one checkout and applyFacts applies them —
// the same path as a poll or the reconciler. A change (or a chain notification) wakes the
// checkout's lifecycle through the outbox. Replaying an inbox row runs the same processing.

const REJECT: Record<number, ErrorCode> = { 400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found" };

/** The webhook of the rail that owns /api/webhooks/<provider>; 404 for anything else. */
export function webhookFor(provider: string): RailWebhook {
  const hook = RAILS.map((r) => r.webhook).find((w) => w?.provider === provider);
  if (!hook) throw new AppError("not_found", "Not found.");
  return hook;
}

/** Verifies, stores and processes one call; returns what the provider gets back. Client mistakes throw AppError (4xx). */
export async function receiveProviderWebhook(hook: RailWebhook, req: WebhookRequest): Promise<{ result: ReceiveResult; status: number; body: unknown }> {
  registerProcessors();
  // PostgreSQL text cannot hold a NUL byte, and no provider sends one: refuse the call and
  // keep it as a rejected row with the NULs written out, so it is visible and never a 500.
  if (req.body.includes("\u0000")) {
    await receiveWebhook({
      provider: hook.provider,
      dedupKey: null,
      headers: req.headers,
      body: req.body.replaceAll("\u0000", "\\u0000"),
      verified: false,
      verifyError: "the body contains a NUL byte",
      source: callerAddress(req.headers),
    });
    throw new AppError("bad_request", "The body contains a NUL byte.");
  }
  const verdict = await hook.verify(req);
  if (!verdict.ok) {
    if (verdict.store !== false)
      await receiveWebhook({
        provider: hook.provider,
        dedupKey: null,
        headers: req.headers,
        body: req.body,
        verified: false,
        verifyError: verdict.verifyError,
        source: callerAddress(req.headers),
      });
    throw new AppError(REJECT[verdict.status] ?? "bad_request", verdict.message);
  }
  const result = await receiveWebhook({
    provider: hook.provider,
    dedupKey: verdict.dedupKey,
    headers: req.headers,
    body: req.body,
    verified: true,
    payload: verdict.payload,
  });
  const answer = hook.respond?.(result) ?? {
    // 503 asks the provider to retry a delivery we stored but could not process yet.
    status: result.status === "failed" ? 503 : 200,
    body: { ok: result.status !== "failed", id: result.id, status: result.status, duplicate: result.duplicate },
  };
  return { result, ...answer };
}

/** Who called, for limiting rejected calls per source: only through the configured trusted proxies (lib/net/client-ip.ts); unknown ⇒ only the per-provider cap applies. */
const callerAddress = (headers: Headers) => clientIp(headers);

/** Registers every rail's webhook processing with the inbox (idempotent; replay needs it too). */
export function registerProcessors(): void {
  for (const rail of RAILS) {
    const hook = rail.webhook;
    if (!hook) continue;
    registerProcessor(hook.provider, async (row) => {
      const parsed = await hook.parse({ body: row.body, payload: row.payload });
      if (!parsed.checkoutId) return { status: "ignored", checkoutId: null, note: parsed.note };
      let changed = false;
      if (parsed.facts.length) changed = (await applyFacts(parsed.checkoutId, parsed.facts, "webhook", { source: `${hook.provider}-webhook` })).changed;
      // The lifecycle takes it from here (credit, receipt); the reconciler catches a lost event.
      if (changed || parsed.wake) await emitEvent(EVENTS.activity, { checkoutId: parsed.checkoutId, source: hook.provider });
      return { status: parsed.ignored ? "ignored" : "processed", checkoutId: parsed.checkoutId, note: parsed.note };
    });
  }
}
