import "server-only";
import { db } from "@/lib/db/client";
import { DEFAULT_PACKAGES } from "./defaults";

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

export { DEFAULT_PACKAGES };

/** Creates the default packages that do not exist yet; never overwrites an admin's edits. */
export async function seedPackages(): Promise<number> {
  const { count } = await db.creditPackage.createMany({ data: [...DEFAULT_PACKAGES], skipDuplicates: true });
  return count;
}
