import { list, v1 } from "@/lib/api/v1";
import { activePackages } from "@/lib/packages/packages";

// GET /api/v1/packages — the packages on sale, in the shop's order.
export const GET = v1({ scope: "read" }, async () => {
  const packages = await activePackages();
  return list("/api/v1/packages", {
    data: packages.map((p) => ({
      id: p.id,
      object: "package" as const,
      slug: p.slug,
      name: p.name,
      credits: p.credits,
      amount: p.priceMinor,
      currency: p.currency,
    })),
    hasMore: false,
  });
});
