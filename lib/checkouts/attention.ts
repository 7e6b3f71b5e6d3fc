import "server-only";
import { db } from "@/lib/db/client";
import { sendEmail } from "@/lib/email/email";
import { env } from "@/lib/env";
import { EVENTS, emitEvent } from "@/lib/outbox/outbox";

// When something needs a person — background work gave up on a checkout (a lifecycle run
// failed after its retries, a sweep would be dust), or a provider said something the rule
// will not act on by itself (failed after the money was confirmed, a currency mismatch) — the
// checkout is flagged for admins and each admin gets one email.

export async function flagAttention(checkoutId: string, reason: string): Promise<{ flagged: boolean; notified: number }> {
  const text = reason.slice(0, 1000);
  const { count } = await db.checkout.updateMany({ where: { id: checkoutId }, data: { needsAttention: true, attentionReason: text } });
  if (count === 0) return { flagged: false, notified: 0 };
  await emitEvent(EVENTS.needsAttention, { checkoutId, source: "background" });
  return { flagged: true, notified: await notifyAdmins(checkoutId, text) };
}

/** One email per admin per checkout (dedup key), pointing at the checkout's admin page. */
export async function notifyAdmins(checkoutId: string, reason: string): Promise<number> {
  const text = reason.slice(0, 1000);
  const link = new URL(`/admin/payments/${checkoutId}`, env().APP_URL).toString();
  let notified = 0;
  for (const admin of env().ADMIN_EMAILS) {
    try {
      await sendEmail({
        dedupKey: `attention:${checkoutId}:${admin}`,
        to: admin,
        subject: `Satchel: checkout ${checkoutId} needs attention`,
        text: `Background work on checkout ${checkoutId} stopped:\n\n${text}\n\nOpen it: ${link}\n`,
        checkoutId,
      });
      notified++;
    } catch {
      // The flag is what matters; the dashboard shows it even if the email failed.
    }
  }
  return notified;
}
