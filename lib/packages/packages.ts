import "server-only";
import { db } from "@/lib/db/client";

export interface PackageView {
  id: string;
  slug: string;
  name: string;
  credits: number;
  priceMinor: number;
  currency: string;
}

const select = { id: true, slug: true, name: true, credits: true, priceMinor: true, currency: true } as const;

/** Packages a buyer can choose, in the admin's order. */
export function activePackages(): Promise<PackageView[]> {
  return db.creditPackage.findMany({ where: { active: true }, orderBy: [{ sortOrder: "asc" }, { priceMinor: "asc" }], select });
}

export function findActivePackage(idOrSlug: string): Promise<PackageView | null> {
  return db.creditPackage.findFirst({ where: { active: true, OR: [{ id: idOrSlug }, { slug: idOrSlug }] }, select });
}

export const DEFAULT_PACKAGES = [
  { slug: "small", name: "Small", credits: 100, priceMinor: 500, currency: "USD", sortOrder: 1 },
  { slug: "medium", name: "Medium", credits: 500, priceMinor: 2000, currency: "USD", sortOrder: 2 },
  { slug: "large", name: "Large", credits: 1500, priceMinor: 5000, currency: "USD", sortOrder: 3 },
] as const;

/** Creates the default packages that do not exist yet; never overwrites an admin's edits. */
export async function seedPackages(): Promise<number> {
  const { count } = await db.creditPackage.createMany({ data: [...DEFAULT_PACKAGES], skipDuplicates: true });
  return count;
}
