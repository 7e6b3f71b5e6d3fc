import "server-only";
import type { EventCause } from "@/lib/db/generated/enums";
import { railFor } from "@/lib/rails/registry";
import type { CheckoutSnapshot } from "@/lib/rails/types";
import { type ApplyOutcome, applyFacts } from "./apply";
import { loadSnapshot } from "./snapshot";

// One observation of a checkout on its rail: the rail asks its provider (Bitcoin reads the
// chain, sharing one tip height per sweep) and returns facts; applyFacts turns them into
// status — the clock included, so an observation at or after expiresAt decides expiry.

export interface ObserveOutcome extends ApplyOutcome {
  chainCalls: number;
}

export interface ObserveOptions {
  now?: Date;
  /** A tip height already fetched for this sweep (saves one chain call per checkout). */
  tipHeight?: number;
  /** Ask the provider even if the rail's own throttle says it asked recently. */
  force?: boolean;
  /** The checkout as the caller already read it (saves a read). */
  snapshot?: CheckoutSnapshot;
  cause?: EventCause;
}

export async function observeCheckout(checkoutId: string, opts: ObserveOptions = {}): Promise<ObserveOutcome> {
  const now = opts.now ?? new Date();
  const checkout = opts.snapshot ?? (await loadSnapshot(checkoutId));
  const rail = railFor(checkout.rail);
  const o = await rail.observe({ checkout, now, tipHeight: opts.tipHeight, force: opts.force });
  const r = await applyFacts(checkoutId, o.facts, opts.cause ?? (o.facts.some((f) => f.kind === "chain") ? "chain" : "system"), {
    now,
    observed: true,
    source: rail.id,
  });
  return { ...r, chainCalls: o.chainCalls ?? 0 };
}
