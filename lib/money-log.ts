import "server-only";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";

// One structured log line per money event — credited, forwarded, refunded, failed — after it
// committed, carrying ids an operator can search by (checkout, buyer, rail, provider
// reference, txid) and amounts in their units; never a secret (the logger scrubs settings
// anyway). On Vercel these lines are the metrics (a log drain counts `money`); elsewhere the
// same events also count satchel_money_events_total. A failure to log never undoes the event.

export type MoneyEvent = "credited" | "forwarded" | "refunded" | "money_refunded" | "failed";

export async function logMoneyEvent(event: MoneyEvent, checkoutId: string, extra: Record<string, string | number | null | undefined> = {}): Promise<void> {
  try {
    const c = await db.checkout.findUnique({
      where: { id: checkoutId },
      select: {
        userId: true,
        rail: true,
        status: true,
        credits: true,
        priceMinor: true,
        currency: true,
        receivedAmount: true,
        amountUnit: true,
        externalRef: true,
      },
    });
    if (!c) return;
    metrics().moneyEvents.inc({ event, rail: c.rail });
    log.info(
      {
        money: event,
        checkoutId,
        userId: c.userId,
        rail: c.rail,
        status: c.status,
        credits: c.credits,
        priceMinor: c.priceMinor,
        currency: c.currency,
        received: c.receivedAmount.toString(),
        unit: c.amountUnit,
        ...(c.externalRef ? { providerRef: c.externalRef } : {}),
        ...extra,
      },
      `money: ${event}`,
    );
  } catch (err) {
    log.warn({ err: (err as Error).message, checkoutId, money: event }, "money: could not log the event");
  }
}
