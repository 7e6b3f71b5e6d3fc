import type { Metadata } from "next";
import { notFound } from "next/navigation";
import {
  bumpForwardingAction,
  forwardAction,
  recheckAction,
  recordRefundTxidAction,
  refundAction,
  refundMoneyAction,
  resendAction,
  resolveAction,
} from "@/app/admin/actions";
import { PaymentActionsSection } from "@/components/admin/payment/actions";
import { PaymentFacts } from "@/components/admin/payment/facts";
import { PaymentHeader } from "@/components/admin/payment/header";
import { PaymentOutputs } from "@/components/admin/payment/outputs";
import { PaymentAudit, PaymentLedger, PaymentWebhooks } from "@/components/admin/payment/records";
import { PaymentRefunds } from "@/components/admin/payment/refunds";
import { PaymentTimeline } from "@/components/admin/payment/timeline";
import { proportionalCredits } from "@/lib/admin/actions";
import { paymentDetail } from "@/lib/admin/detail";
import { verifiedNotice } from "@/lib/admin/notice";
import { requireAdminPage } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Payment" };
export const dynamic = "force-dynamic";

// /admin/payments/[id] — one checkout for an admin, as sections (components/admin/payment/):
// header, actions, details + timeline, refunds of money, chain outputs, ledger, webhook deliveries, audit.
export default async function PaymentDetailPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  // The outcome of the action just taken (set, and signed, by the server action's redirect).
  const notice = verifiedNotice(await searchParams, `/admin/payments/${id}`);
  await requireAdminPage(`/admin/payments/${id}`);
  const d = await paymentDetail(id);
  if (!d) notFound();
  const c = d.checkout;
  const partial = proportionalCredits(c.credits, c.receivedAmount, c.expectedAmount);

  return (
    <div className="space-y-6">
      <PaymentHeader d={d} notice={notice} />
      <PaymentActionsSection
        d={d}
        partial={partial}
        actions={{
          resolve: resolveAction,
          refund: refundAction,
          recheck: recheckAction,
          forward: forwardAction,
          bump: bumpForwardingAction,
          resend: resendAction,
        }}
      />
      <div className="grid gap-6 lg:grid-cols-5">
        <PaymentFacts d={d} />
        <PaymentTimeline d={d} />
      </div>
      <PaymentRefunds d={d} actions={{ create: refundMoneyAction, recordTxid: recordRefundTxidAction }} />
      <PaymentOutputs d={d} />
      <PaymentLedger d={d} />
      <PaymentWebhooks d={d} />
      <PaymentAudit d={d} />
    </div>
  );
}
