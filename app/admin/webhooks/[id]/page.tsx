import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { replayAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { card, textLink } from "@/components/ui";
import { webhookDetail } from "@/lib/admin/webhooks";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Webhook" };
export const dynamic = "force-dynamic";

export default async function WebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdminPage(`/admin/webhooks/${id}`);
  const w = await webhookDetail(id);
  if (!w) notFound();
  const facts: [string, React.ReactNode][] = [
    ["Provider", w.provider],
    ["Status", `${w.status} · ${w.attempts} attempts`],
    ["Verified", w.verified ? "yes" : `no${w.verifyError ? `: ${w.verifyError}` : ""}`],
    [
      "Dedup key",
      <span key="k" className="font-mono text-xs">
        {w.dedupKey}
      </span>,
    ],
    ["Received", formatDateTime(w.receivedAt)],
    ["Processed", w.processedAt ? formatDateTime(w.processedAt) : "—"],
    [
      "Checkout",
      w.checkoutId ? (
        <Link key="c" href={`/admin/payments/${w.checkoutId}`} className={textLink}>
          {w.checkoutId}
        </Link>
      ) : (
        "—"
      ),
    ],
    ["Error", w.error ?? "—"],
  ];
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/admin/webhooks" className={textLink}>
            Webhooks
          </Link>{" "}
          /
        </p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">
          Webhook <span className="font-mono text-base font-medium text-slate-600">{w.id}</span>
        </h1>
      </div>
      {w.verified && (w.status === "failed" || w.status === "received") && (
        <ActionDialog
          action={replayAction}
          label="Replay"
          tone="primary"
          title="Replay this webhook?"
          description="Runs its provider's processing again on the stored body. Processing is idempotent: nothing is applied twice."
          hidden={{ webhookId: w.id }}
          reason="replayed after a failure"
        />
      )}
      <section className={`${card} p-5`} aria-label="Details">
        <dl className="grid gap-3 sm:grid-cols-2">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{k}</dt>
              <dd className="mt-0.5 break-all text-sm text-slate-900">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className={`${card} p-5`} aria-labelledby="body-title">
        <h2 id="body-title" className="mb-2 font-semibold text-slate-900">
          Body
        </h2>
        <pre className="max-h-[32rem] overflow-auto rounded-lg bg-slate-50 p-3 text-xs">{w.pretty}</pre>
      </section>
      <section className={`${card} p-5`} aria-labelledby="headers-title">
        <h2 id="headers-title" className="mb-2 font-semibold text-slate-900">
          Headers (secrets removed)
        </h2>
        <pre className="max-h-80 overflow-auto rounded-lg bg-slate-50 p-3 text-xs">{w.prettyHeaders}</pre>
      </section>
    </div>
  );
}
