import { flagAttention } from "@/lib/checkouts/attention";
import { type LifecycleBackend, runLifecycle } from "@/lib/lifecycle/stages";
import { checkoutActivity, checkoutCreated, inngest } from "../client";
import { permanent } from "./steps";

// One run per checkout, started by "satchel/checkout.created" — on every rail. The sequence
// is lib/lifecycle/stages.ts's runLifecycle (the same one the in-process driver runs), given
// durable steps: every side effect a named step calling one lib/ function, waits for
// activity (a webhook, a chain notification) with a timeout that grows with the checkout's
// age, and sleeps between after-credit checks. The reconciler covers anything a lost run
// leaves behind.

/**
 * After the last retry failed: flag the checkout for admins and email them (once each).
 * Exported so it can be tested as a function of its own (@inngest/test cannot reach onFailure).
 */
export async function onLifecycleFailure({
  event,
  step,
}: {
  event: { data: unknown };
  step: { run: (id: string, fn: () => Promise<{ flagged: boolean; notified: number }>) => Promise<unknown> };
}) {
  const data = event.data as { event?: { data?: { checkoutId?: string } }; error?: { message?: string } };
  const checkoutId = data.event?.data?.checkoutId;
  if (!checkoutId) return { flagged: false, notified: 0 };
  const reason = `checkout lifecycle failed after retries: ${data.error?.message ?? "unknown error"}`;
  return step.run("flag-for-admins", () => flagAttention(checkoutId, reason));
}

export { MAX_AFTER_CREDIT_CHECKS, MAX_ROUNDS } from "@/lib/lifecycle/stages";

export const checkoutLifecycle = inngest.createFunction(
  {
    id: "checkout-lifecycle",
    name: "Checkout lifecycle",
    triggers: [checkoutCreated],
    retries: 5,
    // One run per checkout at a time; a duplicate "created" event does not start a second.
    concurrency: { key: "event.data.checkoutId", limit: 1 },
    idempotency: "event.data.checkoutId",
    onFailure: (ctx) => onLifecycleFailure(ctx),
  },
  async ({ event, step }) => {
    const { checkoutId } = event.data;
    const durable: LifecycleBackend = {
      // Step results are JSON (Inngest stores and replays them); every stage returns JSON-safe values.
      step: (id, fn) => step.run(id, permanent(fn)) as never,
      waitForActivity: async (id, checkout, seconds) => {
        await step.waitForEvent(id, { event: checkoutActivity, timeout: `${seconds}s`, if: `async.data.checkoutId == ${JSON.stringify(checkout)}` });
        return true;
      },
      sleep: async (id, duration) => {
        await step.sleep(id, duration);
        return true;
      },
      failed: (_stage, err) => {
        throw err;
      },
    };
    const r = await runLifecycle(checkoutId, durable, { created: true });
    return r.credited
      ? { checkoutId, status: r.status, credited: true, afterCredit: r.afterCredit, notify: r.notify }
      : { checkoutId, status: r.status, exception: r.exception, credited: false };
  },
);
