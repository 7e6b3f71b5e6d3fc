import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { buttonPrimary, card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { receiptFor, receiptLines } from "@/lib/receipts/receipt";

export const metadata: Metadata = { title: "Receipt" };
export const dynamic = "force-dynamic";

// A buyer's receipt (linked from the receipt email). Someone else's checkout, or one without
// credits yet, is a 404: ids reveal nothing.
export default async function ReceiptPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUserPage(`/account/receipts/${id}`);
  const receipt = await receiptFor(id, user);
  if (!receipt) notFound();
  return (
    <div className="mx-auto max-w-2xl">
      <p className="text-sm">
        <Link href="/account" className={textLink}>
          Your account
        </Link>{" "}
        /
      </p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">Receipt</h1>
      <p className="mt-2 text-base text-slate-600">{receipt.creditsAdded} credits added to your account.</p>
      <section aria-label="Receipt details" className={`${card} mt-6 p-6`}>
        <dl className="divide-y divide-slate-100">
          {receiptLines(receipt).map(([k, v]) => (
            <div key={k} className="grid gap-1 py-2.5 sm:grid-cols-3">
              <dt className="text-sm font-medium text-slate-600">{k}</dt>
              <dd className="break-all text-sm text-slate-900 sm:col-span-2">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <a href={`/account/receipts/${receipt.checkoutId}/pdf`} className={`${buttonPrimary} mt-6`} download>
        Download PDF
      </a>
    </div>
  );
}
