import { AdminNav } from "@/components/admin/admin-nav";
import { requireAdminPage } from "@/lib/auth/guards";

// The admin shell. Everyone who is not an admin gets the 404 page (requireAdminPage), so
// buyers learn nothing about what lives here. Each admin page checks again on its own:
// layouts and pages render independently, and a page must never rely on its layout's guard.
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  await requireAdminPage("/admin");
  return (
    <div className="space-y-8">
      <div className="space-y-4">
        <p className="inline-flex items-center gap-2 rounded-full border border-amber-300 bg-amber-50 px-3 py-1 text-xs font-semibold text-amber-900">
          <span aria-hidden="true" className="size-1.5 rounded-full bg-amber-500" />
          Admin area: changes here affect every buyer
        </p>
        <AdminNav />
      </div>
      {children}
    </div>
  );
}
