import Link from "next/link";
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
 * The texts come formatted and translated from the page.
 */
export function PackageCard({ pkg, buyHref, credits, price, buy }: { pkg: PackageCardData; buyHref: string; credits: string; price: string; buy: string }) {
  const headingId = `package-${pkg.slug}`;
  return (
    <article aria-labelledby={headingId} className={`${card} flex h-full flex-col p-6`}>
      <h3 id={headingId} className="text-lg font-semibold text-slate-900 dark:text-white">
        {pkg.name}
      </h3>
      <p className="mt-4 text-3xl font-bold tracking-tight text-slate-900 tabular dark:text-white">{credits}</p>
      <p className="mt-1 text-base font-semibold text-slate-700 tabular dark:text-slate-300">{price}</p>
      <div className="mt-6 flex-1" />
      <Link href={buyHref} aria-describedby={headingId} className={`${buttonPrimary} w-full`}>
        {buy}
      </Link>
    </article>
  );
}
