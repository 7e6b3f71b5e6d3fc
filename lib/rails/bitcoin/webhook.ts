import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { type ReceiveResult, receiveWebhook, registerProcessor } from "@/lib/inbox/inbox";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";

// Electrum `notify` callbacks: when a subscribed address's status changes, the daemon POSTs
// {"address": "...", "status": "<sha256 of its history>" | null} to the URL we gave it,
// /api/webhooks/electrum/<ELECTRUM_NOTIFY_TOKEN>. The call is unsigned, so the unguessable
// token is the proof (compared in constant time). A valid call becomes checkout activity:
// the lifecycle observes the checkout now instead of at its next scheduled look.

export const ELECTRUM_PROVIDER = "electrum";
export const MAX_ELECTRUM_BODY = 4 * 1024;

const payload = z.object({
  address: z
    .string()
    .min(14)
    .max(100)
    .regex(/^[a-zA-Z0-9]+$/),
  status: z.string().max(128).nullable().optional(),
});

/** Constant-time comparison of the path token with ELECTRUM_NOTIFY_TOKEN (false when unset). */
export function electrumTokenOk(token: string): boolean {
  const expected = env().ELECTRUM_NOTIFY_TOKEN;
  if (!expected) return false;
  // Hash both so lengths match and nothing leaks through an early length check.
  const a = createHash("sha256").update(token).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Handles one callback. Forged tokens are stored as rejected rows and answered 404 (the
 * endpoint does not exist for them); malformed bodies are 400 and never processed.
 */
export async function handleElectrumNotify(token: string, headers: Headers, body: string): Promise<ReceiveResult> {
  if (!electrumTokenOk(token)) {
    await receiveWebhook({
      provider: ELECTRUM_PROVIDER,
      dedupKey: null,
      headers,
      body: body.slice(0, MAX_ELECTRUM_BODY),
      verified: false,
      verifyError: "unknown notify token",
    });
    throw new AppError("not_found", "Not found.");
  }
  let parsed: z.output<typeof payload>;
  try {
    const r = payload.safeParse(JSON.parse(body));
    if (!r.success) throw new Error("shape");
    parsed = r.data;
  } catch {
    await receiveWebhook({
      provider: ELECTRUM_PROVIDER,
      dedupKey: null,
      headers,
      body,
      verified: false,
      verifyError: 'malformed body: expected {"address": string, "status": string | null}',
    });
    throw new AppError("bad_request", 'Expected a JSON body {"address": "...", "status": "..." | null}.');
  }
  // The status hash changes with every history change, so (address, status) names one change.
  const dedupKey = `${parsed.address}:${parsed.status ?? "null"}`;
  return receiveWebhook({ provider: ELECTRUM_PROVIDER, dedupKey, headers, body, verified: true });
}

/** Processing a stored, verified callback: activity on the checkout paying that address. */
async function processElectrum(row: { body: string }) {
  const { address } = payload.parse(JSON.parse(row.body));
  const checkout = await db.checkout.findUnique({ where: { rail_address: { rail: "btc", address } }, select: { id: true } });
  if (!checkout) return { status: "ignored" as const, checkoutId: null, note: "no checkout has this address" };
  await emitEvent(EVENTS.activity, { checkoutId: checkout.id, source: "electrum" });
  return { status: "processed" as const, checkoutId: checkout.id };
}

registerProcessor(ELECTRUM_PROVIDER, processElectrum);
