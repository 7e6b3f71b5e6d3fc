import "server-only";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { type ActionContext, type ActionOutcome, audited } from "./actions";

// Credit packages for admins. Checkouts snapshot name, credits and price when they start, so
// nothing here ever changes an existing checkout; deactivating hides a package from the shop
// (a package with checkouts is never deleted: they reference it).

const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z]{3}$/, "Use a three-letter ISO 4217 code such as USD.")
      .refine((c) => {
        try {
          return (
            new Intl.NumberFormat("en", { style: "currency", currency: c }).resolvedOptions().currency === c && Intl.supportedValuesOf("currency").includes(c)
          );
        } catch {
          return false;
        }
      }, "Not an ISO 4217 currency code."),
  );

export const packageSchema = z.object({
  name: z.string().trim().min(1, "Give the package a name.").max(60, "Keep the name under 60 characters."),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Lower-case letters, digits and dashes, e.g. extra-large.")
    .max(40, "Keep the slug under 40 characters."),
  credits: z.coerce
    .number({ message: "Enter a whole number of credits." })
    .int("Enter a whole number of credits.")
    .positive("Credits must be more than 0.")
    .max(100_000_000, "That is too many credits."),
  priceMinor: z.coerce
    .number({ message: "Enter the price in minor units (cents)." })
    .int("The price is a whole number of minor units (cents).")
    .positive("The price must be more than 0.")
    .max(1_000_000_000, "That price is too high."),
  currency: currencyCode,
});

export type PackageInput = z.input<typeof packageSchema>;

export function listPackages() {
  return db.creditPackage.findMany({
    orderBy: [{ active: "desc" }, { sortOrder: "asc" }, { priceMinor: "asc" }],
    include: { _count: { select: { checkouts: true } } },
  });
}

function parse(input: PackageInput) {
  const r = packageSchema.safeParse(input);
  if (!r.success) throw new AppError("validation_failed", "Check the highlighted fields.", z.flattenError(r.error).fieldErrors);
  return r.data;
}

async function slugTaken(tx: Parameters<Parameters<typeof audited>[1]>[0], slug: string, exceptId?: string) {
  const other = await tx.creditPackage.findUnique({ where: { slug }, select: { id: true } });
  return other !== null && other.id !== exceptId;
}

export async function createPackage(ctx: ActionContext, input: PackageInput): Promise<ActionOutcome> {
  const data = parse(input);
  return audited(ctx, async (tx) => {
    if (await slugTaken(tx, data.slug)) throw new AppError("validation_failed", "Check the highlighted fields.", { slug: ["Another package uses this slug."] });
    const last = await tx.creditPackage.aggregate({ _max: { sortOrder: true } });
    const pkg = await tx.creditPackage.create({ data: { ...data, sortOrder: (last._max.sortOrder ?? 0) + 1 } });
    return { applied: true, message: `Package ${pkg.name} created.`, action: "package.create", targetType: "package", targetId: pkg.id, data: { ...data } };
  });
}

export async function updatePackage(ctx: ActionContext, id: string, input: PackageInput): Promise<ActionOutcome> {
  const data = parse(input);
  return audited(ctx, async (tx) => {
    const before = await tx.creditPackage.findUnique({ where: { id }, select: { name: true, slug: true, credits: true, priceMinor: true, currency: true } });
    if (!before) throw new AppError("not_found", "No such package.");
    if (await slugTaken(tx, data.slug, id))
      throw new AppError("validation_failed", "Check the highlighted fields.", { slug: ["Another package uses this slug."] });
    const changed = (Object.keys(data) as (keyof typeof data)[]).filter((k) => data[k] !== before[k]);
    if (changed.length === 0) return { applied: false, message: "Nothing changed." };
    await tx.creditPackage.update({ where: { id }, data });
    return {
      applied: true,
      message: `Package ${data.name} saved. Existing checkouts keep their original terms.`,
      action: "package.update",
      targetType: "package",
      targetId: id,
      data: { before, after: data },
    };
  });
}

export async function setPackageActive(ctx: ActionContext, id: string, active: boolean): Promise<ActionOutcome> {
  return audited(ctx, async (tx) => {
    const pkg = await tx.creditPackage.findUnique({ where: { id }, select: { name: true, active: true } });
    if (!pkg) throw new AppError("not_found", "No such package.");
    if (pkg.active === active) return { applied: false, message: `${pkg.name} is already ${active ? "active" : "inactive"}.` };
    await tx.creditPackage.update({ where: { id }, data: { active } });
    return {
      applied: true,
      message: active ? `${pkg.name} is on sale again.` : `${pkg.name} is hidden from the shop.`,
      action: active ? "package.activate" : "package.deactivate",
      targetType: "package",
      targetId: id,
    };
  });
}

/** Moves a package one place up or down among the active ones (swaps sortOrder with its neighbour). */
export async function movePackage(ctx: ActionContext, id: string, direction: "up" | "down"): Promise<ActionOutcome> {
  return audited(ctx, async (tx) => {
    const all = await tx.creditPackage.findMany({
      where: { active: true },
      orderBy: [{ sortOrder: "asc" }, { priceMinor: "asc" }, { id: "asc" }],
      select: { id: true, name: true },
    });
    const i = all.findIndex((p) => p.id === id);
    if (i < 0) throw new AppError("conflict", "Only active packages are ordered.");
    const j = direction === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= all.length) return { applied: false, message: "Already at the edge." };
    const order = all.map((p) => p.id);
    [order[i], order[j]] = [order[j]!, order[i]!];
    // Renumber 1..n so equal sortOrders from seeds or older edits never make the move a no-op.
    for (const [n, pid] of order.entries()) await tx.creditPackage.update({ where: { id: pid }, data: { sortOrder: n + 1 } });
    return {
      applied: true,
      message: `${all[i]!.name} moved ${direction}.`,
      action: "package.reorder",
      targetType: "package",
      targetId: id,
      data: { direction, order },
    };
  });
}
