import { flagAttention } from "@/lib/lifecycle/attention";
import { notifyCredited } from "@/lib/lifecycle/notify";
import { creditAndAnnounce, watchCheckout } from "@/lib/lifecycle/watch";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";
import { forwardCheckout } from "@/lib/rails/bitcoin/forward";
import { subscribeAddress } from "@/lib/rails/bitcoin/subscribe";
import { checkoutActivity, checkoutCreated, inngest } from "../client";
import { permanent } from "./steps";

// One run per checkout, started by "satchel/checkout.created":
//   observe → wait for activity (a webhook, a chain notification) or a timeout that grows with
//   the checkout's age → observe again … until paid, expired or failed; after expiry keep
//   watching until monitorUntil for late payments; when paid: credit → forward (hot wallet)
//   → notify. Every side effect is a named step calling one lib/ function, each safe to run
//   twice; the reconciler covers anything a lost run leaves behind.

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

/** Most observation rounds one run makes (Inngest allows 1,000 steps; 24 h of waits needs ~150). */
export const MAX_ROUNDS = 400;
/** Forward checks (a sweep usually confirms within a few blocks). */
export const MAX_FORWARD_CHECKS = 36;

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
    await step.run(
      "subscribe-address",
      permanent(() => subscribeAddress(checkoutId)),
    );

    let watch = await step.run(
      "observe-0",
      permanent(() => watchCheckout(checkoutId)),
    );
    for (let round = 1; watch.watching && round <= MAX_ROUNDS; round++) {
      await step.waitForEvent(`wait-activity-${round}`, {
        event: checkoutActivity,
        timeout: `${watch.waitSeconds}s`,
        if: `async.data.checkoutId == ${JSON.stringify(checkoutId)}`,
      });
      watch = await step.run(
        `observe-${round}`,
        permanent(() => watchCheckout(checkoutId)),
      );
    }
    if (watch.status !== "paid" && watch.status !== "credited" && watch.status !== "forwarded")
      return { checkoutId, status: watch.status, exception: watch.exception, credited: false };

    const credit = await step.run(
      "credit",
      permanent(() => creditAndAnnounce(checkoutId)),
    );
    if (credit.outcome === "not_creditable") return { checkoutId, status: credit.status, exception: credit.exception, credited: false };

    let forward: Awaited<ReturnType<typeof forwardCheckout>> | null = null;
    if (bitcoinSettings().source === "hot") {
      for (let check = 0; check < MAX_FORWARD_CHECKS; check++) {
        forward = await step.run(
          `forward-${check}`,
          permanent(() => forwardCheckout(checkoutId)),
        );
        if (forward.outcome !== "broadcast") break;
        await step.sleep(`wait-forward-${check}`, "10m");
      }
    }

    const notify = await step.run(
      "notify",
      permanent(() => notifyCredited(checkoutId)),
    );
    return {
      checkoutId,
      status: forward?.outcome === "forwarded" ? "forwarded" : "credited",
      credited: true,
      forward: forward?.outcome ?? null,
      notify: notify.outcome,
    };
  },
);
