import type { Metadata } from "next";
import { createPackageAction, movePackageAction, packageActiveAction, updatePackageAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { PackageForm } from "@/components/admin/package-form";
import { QuickAction } from "@/components/admin/quick-action";
import { PageTitle } from "@/components/page-title";
import { card } from "@/components/ui";
import { listPackages } from "@/lib/admin/packages";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "Packages" };
export const dynamic = "force-dynamic";

export default async function PackagesPage() {
  await requireAdminPage("/admin/packages");
  const packages = await listPackages();
  const active = packages.filter((p) => p.active);
  return (
    <div className="space-y-8">
      <PageTitle
        title="Packages"
        lead="What buyers can choose, in this order. Changes apply to new checkouts; existing ones keep the terms they started with."
      />
      <ul className="space-y-4">
        {packages.map((p) => {
          const i = active.findIndex((a) => a.id === p.id);
          return (
            <li key={p.id} className={`${card} p-5 ${p.active ? "" : "opacity-75"}`} aria-labelledby={`pkg-${p.id}`}>
              <div className="mb-3 flex flex-wrap items-center gap-3">
                <h2 id={`pkg-${p.id}`} className="font-semibold text-slate-900">
                  {p.name}
                </h2>
                <span className="text-sm text-slate-600">
                  {p.credits} credits · {formatMoney(p.priceMinor, p.currency)} · {p._count.checkouts} checkouts {p.active ? "" : "· inactive"}
                </span>
                <div className="ml-auto flex items-center gap-1">
                  {p.active && i > 0 && (
                    <QuickAction
                      action={movePackageAction}
                      hidden={{ packageId: p.id, direction: "up" }}
                      label={`Move ${p.name} up`}
                      reason="reordered packages"
                    >
                      ↑
                    </QuickAction>
                  )}
                  {p.active && i < active.length - 1 && (
                    <QuickAction
                      action={movePackageAction}
                      hidden={{ packageId: p.id, direction: "down" }}
                      label={`Move ${p.name} down`}
                      reason="reordered packages"
                    >
                      ↓
                    </QuickAction>
                  )}
                  <ActionDialog
                    action={packageActiveAction}
                    label={p.active ? "Deactivate" : "Activate"}
                    tone={p.active ? "danger" : "secondary"}
                    title={p.active ? `Hide ${p.name} from the shop?` : `Put ${p.name} on sale again?`}
                    description={p.active ? "Buyers can no longer start a checkout for it. Open checkouts finish as started." : "Buyers can choose it again."}
                    hidden={{ packageId: p.id, active: p.active ? "0" : "1" }}
                  />
                </div>
              </div>
              <PackageForm action={updatePackageAction} values={p} submitLabel="Save" />
            </li>
          );
        })}
      </ul>
      <section aria-labelledby="new-package" className={`${card} p-5`}>
        <h2 id="new-package" className="mb-3 font-semibold text-slate-900">
          New package
        </h2>
        <PackageForm action={createPackageAction} values={{ name: "", slug: "", credits: "", priceMinor: "", currency: "USD" }} submitLabel="Create package" />
      </section>
    </div>
  );
}
