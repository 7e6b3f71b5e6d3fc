import "server-only";
import { loadSnapshot } from "@/lib/checkouts/snapshot";
import type { CheckoutSnapshot } from "@/lib/rails/types";
import { type LifecycleBackend, runLifecycle, type Stage } from "./stages";

// The lifecycle run in-process: moves one checkout as far as it can go right now (observe
// while watched → credit when paid → after credit → notify), with no waiting — the next sweep,
// event or poll resumes it. The same runLifecycle the Inngest function runs, so running this
// twice, or beside the Inngest lifecycle and the reconciler, changes nothing the second time.
// Used by the reconciler, by webhook activity in the in-process mode, and by the buyer's page
// poll (so credits show within seconds).

export interface AdvanceResult {
  checkoutId: string;
  from: string;
  status: string;
  exception: string | null;
  observed: boolean;
  /** Stages that changed something: "observed", "paid", "expired", "credited", "forwarded", "notified". */
  did: string[];
  errors: { stage: Stage; message: string }[];
  chainCalls: number;
}

export interface AdvanceOptions {
  now?: Date;
  tipHeight?: number;
  /** Skip the observation (it was just done by the caller). */
  skipObserve?: boolean;
  /** The checkout as the caller already read it (saves a read). */
  snapshot?: CheckoutSnapshot;
}

export async function advanceCheckout(checkoutId: string, opts: AdvanceOptions = {}): Promise<AdvanceResult> {
  const snapshot = opts.snapshot ?? (await loadSnapshot(checkoutId));
  const errors: AdvanceResult["errors"] = [];
  const inProcess: LifecycleBackend = {
    step: (_id, fn) => fn(),
    waitForActivity: async () => false,
    sleep: async () => false,
    failed: (stage, err) => errors.push({ stage, message: err instanceof Error ? err.message : String(err) }),
  };
  const r = await runLifecycle(checkoutId, inProcess, { now: opts.now, tipHeight: opts.tipHeight, skipObserve: opts.skipObserve, snapshot });
  return {
    checkoutId,
    from: snapshot.status,
    status: r.status,
    exception: r.exception,
    observed: r.observed,
    did: r.did,
    errors,
    chainCalls: r.chainCalls,
  };
}
