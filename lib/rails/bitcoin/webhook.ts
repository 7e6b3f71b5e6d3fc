import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { RailWebhook } from "@/lib/rails/types";

// Electrum `notify` callbacks: when a subscribed address's status changes, the daemon POSTs
// {"address": "...", "status": "<sha256 of its history>" | null} to the URL we gave it,
// /api/webhooks/electrum/<ELECTRUM_NOTIFY_TOKEN>. The call is unsigned, so the unguessable
// token is the proof (compared in constant time). A valid call wakes the checkout: the
// lifecycle observes it now instead of at its next scheduled look (the call itself says
// nothing about amounts, so it carries no facts).

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

export const electrumWebhook: RailWebhook = {
  provider: ELECTRUM_PROVIDER,
  maxBody: MAX_ELECTRUM_BODY,
  async verify({ path, body }) {
    // Forged tokens are stored as rejected rows and answered 404 (the endpoint does not exist for them).
    if (path.length !== 1 || !electrumTokenOk(path[0]!)) return { ok: false, status: 404, message: "Not found.", verifyError: "unknown notify token" };
    let parsed: z.output<typeof payload>;
    try {
      const r = payload.safeParse(JSON.parse(body));
      if (!r.success) throw new Error("shape");
      parsed = r.data;
    } catch {
      return {
        ok: false,
        status: 400,
        message: 'Expected a JSON body {"address": "...", "status": "..." | null}.',
        verifyError: 'malformed body: expected {"address": string, "status": string | null}',
      };
    }
    // The status hash changes with every history change, so (address, status) names one change.
    return { ok: true, dedupKey: `${parsed.address}:${parsed.status ?? "null"}`, payload: parsed };
  },
  async parse(row) {
    const { address } = (row.payload as z.output<typeof payload> | undefined) ?? payload.parse(JSON.parse(row.body));
    const checkout = await db.checkout.findUnique({ where: { rail_address: { rail: "btc", address } }, select: { id: true } });
    if (!checkout) return { checkoutId: null, facts: [], ignored: true, note: "no checkout has this address" };
    return { checkoutId: checkout.id, facts: [], wake: true };
  },
};
