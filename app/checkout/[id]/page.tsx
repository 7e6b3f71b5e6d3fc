import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CheckoutLive } from "@/components/checkout/checkout-live";
import { PageTitle } from "@/components/page-title";
import { requireUserPage } from "@/lib/auth/guards";
import { liveCheckout } from "@/lib/lifecycle/live";
import { railFor } from "@/lib/rails/registry";

export const metadata: Metadata = { title: "Checkout" };

// /checkout/[id] — owner or admin only; anyone else gets the same 404 as an unknown id.
export default async function CheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUserPage(`/checkout/${encodeURIComponent(id)}`);
  const view = await liveCheckout(id, user);
  if (!view) notFound();
  return (
    <div className="mx-auto max-w-3xl">
      <PageTitle title={`Pay with ${railFor(view.rail).label}`} />
      <CheckoutLive initial={view} />
    </div>
  );
}
