import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { forwardAction, recheckAction, refundAction, resendAction, resolveAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { AttentionBadge, ExceptionBadge, StatusBadge } from "@/components/admin/badges";
import { Alert } from "@/components/alert";
import { card, textLink } from "@/components/ui";
import { proportionalCredits } from "@/lib/admin/actions";
import { paymentDetail } from "@/lib/admin/detail";
import { verifiedNotice } from "@/lib/admin/notice";
import { requireAdminPage } from "@/lib/auth/guards";
import { describeRate, formatDateTime, formatMoney, formatSignedCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Payment" };
export const dynamic = "force-dynamic";

const section = `${card} p-5`;
const h2 = "mb-3 text-base font-semibold text-slate-900";
const dt = "text-xs font-medium uppercase tracking-wide text-slate-500";
const dd = "mt-0.5 break-all text-sm text-slate-900";

export default async function PaymentDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  // The outcome of the action just taken (set, and signed, by the server action's redirect).
  const notice = verifiedNotice(await searchParams);
  await requireAdminPage(`/admin/payments/${id}`);
  const d = await paymentDetail(id);
  if (!d) notFound();
  const c = d.checkout;
  const partial = proportionalCredits(c.credits, c.receivedAmount, c.expectedAmount);
  const hidden = { checkoutId: c.id };
  const amounts = `${c.receivedAmount} of ${c.expectedAmount} ${c.amountUnit} received`;

  const facts: [string, React.ReactNode][] = [
    [
      "Buyer",
      <Link key="u" href={`/admin/users/${c.user.id}`} className={textLink}>
        {c.user.email}
      </Link>,
    ],
    ["Package", `${c.packageName} · ${c.credits} credits · ${formatMoney(c.priceMinor, c.currency)}`],
    ["Rail", c.rail],
    ["Amount", amounts],
    ["Rate", describeRate(c) ?? "—"],
    [
      "Address",
      c.address ? (
        <span key="a" className="font-mono text-xs">
          {c.address}
          {c.derivationIndex !== null ? ` (index ${c.derivationIndex})` : ""}
        </span>
      ) : (
        "—"
      ),
    ],
    ["Provider reference", c.externalRef ?? "—"],
    ["Confirmations", `${c.confirmations} / ${c.confirmationsRequired}`],
    ["Created", formatDateTime(c.createdAt)],
    ["Expires", formatDateTime(c.expiresAt)],
    ["Watched until", formatDateTime(c.monitorUntil)],
    ["Credited", c.creditedAt ? formatDateTime(c.creditedAt) : "—"],
  ];

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/admin/payments" className={textLink}>
            Payments
          </Link>{" "}
          /
        </p>
        <h1 className="mt-1 flex flex-wrap items-center gap-3 text-2xl font-bold tracking-tight text-slate-900">
          Payment <span className="font-mono text-base font-medium text-slate-600">{c.id}</span>
        </h1>
        <p className="mt-2 flex flex-wrap items-center gap-2">
          <StatusBadge status={c.status} />
          <ExceptionBadge exception={c.exception} />
          {c.needsAttention && <AttentionBadge />}
          {d.refunded && <span className="text-sm text-slate-600">refunded</span>}
        </p>
        {c.needsAttention && c.attentionReason && (
          <div className="mt-3">
            <Alert tone="error">{c.attentionReason}</Alert>
          </div>
        )}
        {d.resolution && (
          <p className="mt-3 text-sm text-slate-600">
            Resolved ({d.resolution.kind.replace("_", " ")}
            {d.resolution.credits !== null ? `, ${d.resolution.credits} credits` : ""}) on {formatDateTime(d.resolution.createdAt)}: {d.resolution.reason}
          </p>
        )}
      </div>

      {notice && <Alert tone="success">{notice}</Alert>}

      <section aria-labelledby="actions-title" className={section}>
        <h2 id="actions-title" className={h2}>
          Actions
        </h2>
        <div className="flex flex-wrap items-start gap-3">
          {d.can.resolve && (
            <>
              <ActionDialog
                action={resolveAction}
                label="Credit in full"
                tone="primary"
                title={`Credit ${c.credits} credits?`}
                description={
                  <>
                    Adds the package&apos;s full {c.credits} credits to {c.user.email} and marks the checkout credited. {amounts}.
                  </>
                }
                confirmLabel={`Credit ${c.credits} credits`}
                hidden={{ ...hidden, kind: "credit_full" }}
                reason={c.exception ? `${c.exception.replace("_", " ")}: credited in full after review` : "credited in full after review"}
              />
              {partial > 0 && partial < c.credits && (
                <ActionDialog
                  action={resolveAction}
                  label={`Credit ${partial} (received share)`}
                  title={`Credit ${partial} credits?`}
                  description={
                    <>
                      Credits in proportion to what arrived: ⌊{c.credits} × {c.receivedAmount.toString()} / {c.expectedAmount.toString()}⌋ = {partial}.
                    </>
                  }
                  confirmLabel={`Credit ${partial} credits`}
                  hidden={{ ...hidden, kind: "credit_partial" }}
                  reason={`${c.exception ?? "short payment"}: credited for the amount received`}
                />
              )}
              <ActionDialog
                action={resolveAction}
                label="Mark invalid"
                tone="danger"
                title="Mark this payment invalid?"
                description="No credits are added. The decision and your reason are kept on the timeline and in the audit log."
                confirmLabel="Mark invalid"
                hidden={{ ...hidden, kind: "invalid" }}
              />
            </>
          )}
          {d.can.refund && (
            <ActionDialog
              action={refundAction}
              label="Refund credits"
              tone="danger"
              title="Refund the credits?"
              description={
                <>
                  Takes back the credits this checkout added (a reversing ledger entry). Refused if the buyer has already spent them; balances never go below
                  zero. The buyer&apos;s balance now: {c.user.balance}.
                </>
              }
              confirmLabel="Refund credits"
              hidden={hidden}
            />
          )}
          <ActionDialog
            action={recheckAction}
            label="Re-check now"
            title="Re-check this payment now?"
            description="Asks the rail for the latest state and moves the checkout if anything changed."
            hidden={hidden}
            reason="re-check requested by an admin"
          />
          {d.can.forward && (
            <ActionDialog
              action={forwardAction}
              label="Retry forwarding"
              title="Retry forwarding?"
              description="Re-broadcasts the stored sweep, or builds it if none exists. Never a second, different spend."
              hidden={hidden}
            />
          )}
          {d.can.resendReceipt && (
            <ActionDialog
              action={resendAction}
              label="Resend receipt"
              title="Resend the receipt?"
              description={<>Emails the receipt to {c.user.email} again.</>}
              hidden={hidden}
              reason="buyer asked for the receipt again"
            />
          )}
        </div>
      </section>

      <div className="grid gap-6 lg:grid-cols-5">
        <section aria-labelledby="facts-title" className={`${section} lg:col-span-2`}>
          <h2 id="facts-title" className={h2}>
            Details
          </h2>
          <dl className="space-y-3">
            {facts.map(([k, v]) => (
              <div key={k}>
                <dt className={dt}>{k}</dt>
                <dd className={dd}>{v}</dd>
              </div>
            ))}
          </dl>
        </section>

        <section aria-labelledby="timeline-title" className={`${section} lg:col-span-3`}>
          <h2 id="timeline-title" className={h2}>
            Timeline
          </h2>
          <ol className="relative space-y-4 border-l border-slate-200 pl-5">
            {c.events.map((e) => (
              <li key={e.id} className="relative">
                <span aria-hidden="true" className="absolute -left-[1.6rem] top-1.5 size-2.5 rounded-full border-2 border-white bg-brand-600" />
                <p className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
                  <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt)}</time>
                  <span className="rounded bg-slate-100 px-1.5 py-0.5 font-medium text-slate-700">{e.cause}</span>
                  <span>
                    {e.fromStatus ? `${e.fromStatus} → ` : ""}
                    {e.toStatus}
                    {e.exception ? ` (${e.exception.replace("_", " ")})` : ""}
                  </span>
                </p>
                <p className="mt-0.5 text-sm text-slate-900">{e.message}</p>
              </li>
            ))}
          </ol>
        </section>
      </div>

      <section aria-labelledby="outputs-title" className={section}>
        <h2 id="outputs-title" className={h2}>
          Chain outputs
        </h2>
        {d.outputs.length === 0 ? (
          <p className="text-sm text-slate-600">None seen.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    Transaction
                  </th>
                  <th scope="col" className="py-2 pr-4 text-right">
                    Sats
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Block
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    First seen
                  </th>
                  <th scope="col" className="py-2">
                    State
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {d.outputs.map((o) => (
                  <tr key={o.id}>
                    <td className="py-2 pr-4 font-mono text-xs">
                      {o.explorerUrl ? (
                        <a href={o.explorerUrl} target="_blank" rel="noreferrer noopener" className={textLink}>
                          {o.txid}:{o.vout}
                        </a>
                      ) : (
                        `${o.txid}:${o.vout}`
                      )}
                    </td>
                    <td className="py-2 pr-4 text-right tabular">{o.sats.toString()}</td>
                    <td className="py-2 pr-4 tabular">{o.blockHeight ?? "mempool"}</td>
                    <td className="py-2 pr-4">{formatDateTime(o.firstSeenAt)}</td>
                    <td className="py-2">{o.goneAt ? `gone since ${formatDateTime(o.goneAt)}` : "live"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {d.sweep && (
          <div className="mt-4 text-sm">
            <h3 className="font-medium text-slate-900">Forwarding transaction</h3>
            <p className="mt-1 font-mono text-xs">
              {d.sweep.explorerUrl ? (
                <a href={d.sweep.explorerUrl} target="_blank" rel="noreferrer noopener" className={textLink}>
                  {d.sweep.txid}
                </a>
              ) : (
                d.sweep.txid
              )}
            </p>
            <p className="mt-1 text-slate-600">
              {d.sweep.amountSats.toString()} sats to {d.sweep.toAddress}, fee {d.sweep.feeSats.toString()} sats ({d.sweep.feeRate} sat/vB) ·{" "}
              {d.sweep.confirmedAt
                ? `confirmed ${formatDateTime(d.sweep.confirmedAt)}`
                : d.sweep.broadcastAt
                  ? `broadcast ${formatDateTime(d.sweep.broadcastAt)}`
                  : "stored, not yet broadcast"}{" "}
              · {d.sweep.attempts} attempts
              {d.sweep.error ? ` · last error: ${d.sweep.error}` : ""}
            </p>
          </div>
        )}
      </section>

      <section aria-labelledby="ledger-title" className={section}>
        <h2 id="ledger-title" className={h2}>
          Ledger entries
        </h2>
        {d.ledger.length === 0 ? (
          <p className="text-sm text-slate-600">No credits moved for this checkout.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {d.ledger.map((e) => (
              <li key={e.id} className="flex flex-wrap gap-x-4 gap-y-1 py-2">
                <span className={`font-semibold tabular ${e.amount < 0 ? "text-red-700" : "text-brand-700"}`}>{formatSignedCredits(e.amount)}</span>
                <span className="capitalize">{e.reason}</span>
                <span className="font-mono text-xs text-slate-500">{e.idempotencyKey}</span>
                <span className="ml-auto text-slate-600">
                  balance after {e.balanceAfter} · {formatDateTime(e.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="webhooks-title" className={section}>
        <h2 id="webhooks-title" className={h2}>
          Webhook deliveries
        </h2>
        {d.inbox.length === 0 ? (
          <p className="text-sm text-slate-600">None for this checkout.</p>
        ) : (
          <ul className="space-y-3">
            {d.inbox.map((w) => (
              <li key={w.id}>
                <details className="rounded-lg border border-slate-200">
                  <summary className="cursor-pointer px-3 py-2 text-sm">
                    <span className="font-medium">{w.provider}</span> · {w.status} · {formatDateTime(w.receivedAt)} ·{" "}
                    {w.verified ? "verified" : `not verified${w.verifyError ? `: ${w.verifyError}` : ""}`}
                    {w.error ? ` · ${w.error}` : ""}{" "}
                    <Link href={`/admin/webhooks/${w.id}`} className={textLink}>
                      open
                    </Link>
                  </summary>
                  <pre className="max-h-80 overflow-auto border-t border-slate-200 bg-slate-50 p-3 text-xs">{w.pretty}</pre>
                </details>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="audit-title" className={section}>
        <h2 id="audit-title" className={h2}>
          Admin actions
        </h2>
        {d.audit.length === 0 ? (
          <p className="text-sm text-slate-600">No admin has acted on this payment.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {d.audit.map((a) => (
              <li key={a.id} className="py-2">
                <span className="font-medium">{a.action}</span> by {a.actor?.email ?? "a deleted user"} · {formatDateTime(a.createdAt)}
                {a.reason && <span className="block text-slate-600">“{a.reason}”</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
