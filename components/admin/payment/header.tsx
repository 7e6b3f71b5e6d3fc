import Link from "next/link";
import { AttentionBadge, ExceptionBadge, StatusBadge } from "@/components/admin/badges";
import { Alert } from "@/components/alert";
import { textLink } from "@/components/ui";
import type { PaymentDetail } from "@/lib/admin/detail";
import { formatDateTime } from "@/lib/format";

/** Breadcrumb, id, status badges, why it needs attention and how it was resolved. */
export function PaymentHeader({ d, notice }: { d: PaymentDetail; notice: string | null }) {
  const c = d.checkout;
  return (
    <div className="space-y-3">
      <p className="text-sm">
        <Link href="/admin/payments" className={textLink}>
          Payments
        </Link>{" "}
        /
      </p>
      <h1 className="flex flex-wrap items-center gap-3 text-2xl font-bold tracking-tight text-slate-900 dark:text-white">
        Payment <span className="break-all font-mono text-base font-medium text-slate-700 dark:text-slate-300">{c.id}</span>
      </h1>
      <p className="flex flex-wrap items-center gap-2">
        <StatusBadge status={c.status} />
        <ExceptionBadge exception={c.exception} />
        {c.needsAttention && <AttentionBadge />}
        {d.refunded && <span className="text-sm text-slate-700 dark:text-slate-300">refunded</span>}
      </p>
      {c.needsAttention && c.attentionReason && <Alert tone="error">{c.attentionReason}</Alert>}
      {d.resolution && (
        <p className="text-sm text-slate-700 dark:text-slate-300">
          Resolved ({d.resolution.kind.replace("_", " ")}
          {d.resolution.credits !== null ? `, ${d.resolution.credits} credits` : ""}) on {formatDateTime(d.resolution.createdAt)}: {d.resolution.reason}
        </p>
      )}
      {notice && <Alert tone="success">{notice}</Alert>}
    </div>
  );
}
