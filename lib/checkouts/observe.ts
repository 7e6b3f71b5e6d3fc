import "server-only";
import { db } from "@/lib/db/client";
import type { Rail } from "@/lib/db/generated/enums";
import { AppError } from "@/lib/errors";
import { chainClient } from "@/lib/rails/bitcoin/client";
import { observeBtcCheckout } from "@/lib/rails/bitcoin/observe";
import { RAILS, railFor } from "@/lib/rails/registry";

// One observation of a checkout on its rail: Bitcoin reads the chain (sharing one tip height
// per sweep); the provider rails ask their provider through Rail.observe (lib/rails/registry).
// Each moves the checkout by compare-and-set, so everything above — the lifecycle, the
// reconciler, the page poll — works for every rail unchanged.

export interface ObserveOutcome {
  checkoutId: string;
  /** Status before and after (JSON-safe strings, for Inngest step results). */
  from: string;
  status: string;
  exception: string | null;
  changed: boolean;
  chainCalls: number;
}

export interface ObserveOptions {
  now?: Date;
  /** A tip height already fetched for this sweep (saves one chain call per checkout). */
  tipHeight?: number;
}

type RailObserver = (
  checkout: { id: string; address: string | null },
  opts: ObserveOptions,
) => Promise<{ status: string; exception: string | null; changed: boolean; chainCalls: number }>;

const OBSERVERS: Partial<Record<Rail, RailObserver>> = {
  btc: async (c, opts) => {
    if (opts.tipHeight === undefined || !c.address) return observeBtcCheckout(c.id, { now: opts.now });
    const client = await chainClient();
    const before = client.stats.requests;
    const outputs = await client.addressOutputs(c.address);
    const calls = client.stats.requests - before;
    const r = await observeBtcCheckout(c.id, { now: opts.now, chain: { tipHeight: opts.tipHeight, outputs } });
    return { ...r, chainCalls: r.chainCalls + calls };
  },
};

/** Bitcoin has its sweep-aware observer above; every other rail asks its provider. */
function observerFor(rail: Rail): RailObserver {
  return (
    OBSERVERS[rail] ??
    (async (c) => {
      const r = await railFor(rail).observe(c.id);
      return { ...r, chainCalls: 0 };
    })
  );
}

export function canObserve(rail: Rail): boolean {
  return RAILS.some((r) => r.id === rail);
}

export async function observeCheckout(checkoutId: string, opts: ObserveOptions = {}): Promise<ObserveOutcome> {
  const c = await db.checkout.findUnique({ where: { id: checkoutId }, select: { id: true, rail: true, status: true, exception: true, address: true } });
  if (!c) throw new AppError("not_found", "No such checkout.");
  const r = await observerFor(c.rail)(c, opts);
  return { checkoutId, from: c.status, status: r.status, exception: r.exception, changed: r.changed, chainCalls: r.chainCalls };
}
