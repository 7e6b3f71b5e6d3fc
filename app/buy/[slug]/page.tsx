import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RailPicker } from "@/components/buy/rail-picker";
import { PageTitle } from "@/components/page-title";
import { card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { availableRails } from "@/lib/checkouts/rails";
import { formatCredits, formatMoney } from "@/lib/format";
import { findActivePackage } from "@/lib/packages/packages";
import { startCheckout } from "./actions";

export const metadata: Metadata = { title: "Checkout" };

// /buy/[slug] — the package and the configured ways to pay for it.
export default async function BuyPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await requireUserPage(`/buy/${encodeURIComponent(slug)}`);
  const pkg = await findActivePackage(slug);
  if (!pkg) notFound();

  return (
    <div className="mx-auto max-w-lg">
      <PageTitle title={`Buy ${pkg.name}`} />
      <div className={`${card} p-6`}>
        <dl className="space-y-3">
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600">Credits</dt>
            <dd className="font-semibold tabular">{formatCredits(pkg.credits)}</dd>
          </div>
          <div className="flex justify-between gap-4">
            <dt className="text-slate-600">Price</dt>
            <dd className="font-semibold tabular">{formatMoney(pkg.priceMinor, pkg.currency)}</dd>
          </div>
        </dl>
        <h2 className="mt-6 mb-3 text-base font-semibold text-slate-900">How would you like to pay?</h2>
        <RailPicker packageId={pkg.id} rails={availableRails()} action={startCheckout} />
      </div>
      <p className="mt-6 text-sm">
        <Link href="/" className={textLink}>
          Back to packages
        </Link>
      </p>
    </div>
  );
}
