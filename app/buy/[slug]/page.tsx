import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageTitle } from "@/components/page-title";
import { card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { formatCredits, formatMoney } from "@/lib/format";
import { findActivePackage } from "@/lib/packages/packages";

export const metadata: Metadata = { title: "Checkout" };

// Placeholder until the checkout flow lands: it proves the sign-in round trip from "Buy".
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
        <p className="mt-6 rounded-lg bg-slate-50 px-4 py-3 text-sm text-slate-700">Checkout is coming soon</p>
      </div>
      <p className="mt-6 text-sm">
        <Link href="/" className={textLink}>
          Back to packages
        </Link>
      </p>
    </div>
  );
}
