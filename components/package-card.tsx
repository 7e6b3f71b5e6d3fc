import Link from "next/link";
import { formatCredits, formatMoney } from "@/lib/format";
import { buttonPrimary, card } from "./ui";

export interface PackageCardData {
  slug: string;
  name: string;
  credits: number;
  priceMinor: number;
  currency: string;
}

/**
 * One package on the shop front. The "Buy" link keeps its short visible name; the card's
 * heading is attached as its description so screen readers announce which package it buys.
 */
export function PackageCard({ pkg, buyHref }: { pkg: PackageCardData; buyHref: string }) {
  const headingId = `package-${pkg.slug}`;
  return (
    <article aria-labelledby={headingId} className={`${card} flex h-full flex-col p-6`}>
      <h3 id={headingId} className="text-lg font-semibold text-slate-900">
        {pkg.name}
      </h3>
      <p className="mt-4 text-3xl font-bold tracking-tight text-slate-900 tabular">{formatCredits(pkg.credits)}</p>
      <p className="mt-1 text-base text-slate-600">
        for <span className="font-semibold text-slate-900 tabular">{formatMoney(pkg.priceMinor, pkg.currency)}</span>
      </p>
      <div className="mt-6 flex-1" />
      <Link href={buyHref} aria-describedby={headingId} className={`${buttonPrimary} w-full`}>
        Buy
      </Link>
    </article>
  );
}
