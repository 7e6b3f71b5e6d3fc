import Link from "next/link";
import { textLink } from "@/components/ui";
import type { PaymentDetail } from "@/lib/admin/detail";
import { formatDateTime, formatSignedCredits } from "@/lib/format";
import { empty, Section } from "./section";

/** The credits this checkout moved. */
export function PaymentLedger({ d }: { d: PaymentDetail }) {
  return (
    <Section id="ledger" title="Ledger entries">
      {d.ledger.length === 0 ? (
        <p className={empty}>No credits moved for this checkout.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
          {d.ledger.map((e) => (
            <li key={e.id} className="flex flex-wrap gap-x-4 gap-y-1 py-2">
              <span className={`font-semibold tabular ${e.amount < 0 ? "text-red-700 dark:text-red-300" : "text-brand-700 dark:text-brand-300"}`}>
                {formatSignedCredits(e.amount)}
              </span>
              <span className="capitalize">{e.reason}</span>
              <span className="break-all font-mono text-xs text-slate-600 dark:text-slate-400">{e.idempotencyKey}</span>
              <span className="ml-auto text-slate-700 dark:text-slate-300">
                balance after {e.balanceAfter} · {formatDateTime(e.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** Provider calls that concern this checkout, as stored in the inbox. */
export function PaymentWebhooks({ d }: { d: PaymentDetail }) {
  return (
    <Section id="webhooks" title="Webhook deliveries">
      {d.inbox.length === 0 ? (
        <p className={empty}>None for this checkout.</p>
      ) : (
        <ul className="space-y-3">
          {d.inbox.map((w) => (
            <li key={w.id}>
              <details className="rounded-lg border border-slate-200 dark:border-slate-700">
                <summary className="cursor-pointer px-3 py-2 text-sm">
                  <span className="font-medium">{w.provider}</span> · {w.status} · {formatDateTime(w.receivedAt)} ·{" "}
                  {w.verified ? "verified" : `not verified${w.verifyError ? `: ${w.verifyError}` : ""}`}
                  {w.error ? ` · ${w.error}` : ""}{" "}
                  <Link href={`/admin/webhooks/${w.id}`} className={textLink}>
                    open
                  </Link>
                </summary>
                {/* Focusable so keyboard users can scroll a long body. */}
                <pre
                  tabIndex={0}
                  role="region"
                  aria-label={`Body of the ${w.provider} delivery`}
                  className="max-h-80 overflow-auto border-t border-slate-200 bg-slate-50 p-3 text-xs dark:border-slate-700 dark:bg-slate-800"
                >
                  {w.pretty}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** Who acted on this payment, when and why. */
export function PaymentAudit({ d }: { d: PaymentDetail }) {
  return (
    <Section id="audit" title="Admin actions">
      {d.audit.length === 0 ? (
        <p className={empty}>No admin has acted on this payment.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
          {d.audit.map((a) => (
            <li key={a.id} className="py-2">
              <span className="font-medium">{a.action}</span> by{" "}
              {a.actor?.email ?? (a.actorId ? "a deleted user" : "Satchel (a buyer's claim or background work)")} · {formatDateTime(a.createdAt)}
              {a.reason && <span className="block text-slate-700 dark:text-slate-300">“{a.reason}”</span>}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
