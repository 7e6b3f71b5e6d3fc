import "server-only";
import { processState } from "@/lib/singleton";
import { pruneIdempotencyKeys } from "./retention";
import { type DeliverOptions, deliverDueWebhooks } from "./webhooks";

// The host integration's background work, run by the in-process driver on every tick and by
// the Inngest cron (inngest/functions/host-maintenance.ts): due webhook deliveries, and about
// once an hour the Idempotency-Key answers past their retention.

const PRUNE_EVERY_MS = 3_600_000;
const g = processState<{ __satchelLastPrune?: number }>("host/maintenance");

export async function hostMaintenance(opts: DeliverOptions & { prune?: boolean } = {}) {
  const now = opts.now ?? new Date();
  const webhooks = await deliverDueWebhooks({ ...opts, now });
  let pruned = 0;
  if (opts.prune ?? now.getTime() - (g.__satchelLastPrune ?? 0) >= PRUNE_EVERY_MS) {
    g.__satchelLastPrune = now.getTime();
    pruned = await pruneIdempotencyKeys(now);
  }
  return { ...webhooks, idempotencyKeysPruned: pruned };
}
