import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/client";
import type { RailWebhook } from "@/lib/rails/types";
import { memoryProvider, sign } from "./client";
import { factsFor } from "./facts";

// POST /api/webhooks/memory: signed (x-memory-signature: hex HMAC-SHA256 of the raw body),
// deduplicated by the provider's event id.

const body = z.object({
  event: z.string().min(1),
  payment: z.string().min(1),
  status: z.enum(["open", "processing", "paid", "failed"]),
  paid: z.string().regex(/^\d+$/),
  reason: z.string().nullable(),
});

export const memoryWebhook: RailWebhook = {
  provider: "memory",
  maxBody: 4096,
  async verify({ headers, body: raw, path }) {
    const given = Buffer.from(headers.get("x-memory-signature") ?? "");
    const expected = Buffer.from(sign(raw, memoryProvider.secret));
    if (path.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, status: 401, message: "Invalid x-memory-signature.", verifyError: "bad signature" };
    const parsed = body.safeParse(
      (() => {
        try {
          return JSON.parse(raw);
        } catch {
          return null;
        }
      })(),
    );
    if (!parsed.success) return { ok: false, status: 400, message: "Not a memory provider event.", verifyError: "malformed body" };
    return { ok: true, dedupKey: parsed.data.event, payload: parsed.data };
  },
  async parse(row) {
    const e = (row.payload as z.output<typeof body> | undefined) ?? body.parse(JSON.parse(row.body));
    const c = await db.checkout.findUnique({ where: { rail_externalRef: { rail: "memory", externalRef: e.payment } }, select: { id: true } });
    if (!c) return { checkoutId: null, facts: [], ignored: true, note: "no checkout has this payment" };
    return { checkoutId: c.id, facts: factsFor({ status: e.status, paid: BigInt(e.paid), reason: e.reason }, "webhook") };
  },
};
