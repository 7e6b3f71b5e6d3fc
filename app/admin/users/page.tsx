import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
import { DataTable } from "@/components/data-table";
import { PageTitle } from "@/components/page-title";
import { buttonPrimary, textLink } from "@/components/ui";
import { listUsers } from "@/lib/admin/users";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatDateTime, formatNumber } from "@/lib/format";

export const metadata: Metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/admin/users");
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q.slice(0, 200) : "";
  const data = await listUsers({ q, page: Number(sp.page) || 1 });
  return (
    <div>
      <PageTitle title="Users" lead="Balances, roles and each user's ledger." />
      <form method="get" role="search" aria-label="Users" className="mb-6 flex gap-2">
        <label htmlFor="q" className="sr-only">
          Search users
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={q}
          placeholder="Email, name or id"
          className="block w-full max-w-md rounded-lg border border-slate-400 bg-white px-3 py-2 text-sm shadow-xs dark:border-slate-500 dark:bg-slate-900"
        />
        <button type="submit" className={buttonPrimary}>
          Search
        </button>
      </form>
      <DataTable
        caption="Users, newest first"
        rowKey={(u) => u.id}
        rows={data.rows}
        empty={{ title: "No users match." }}
        columns={[
          {
            key: "email",
            header: "Email",
            primary: true,
            cell: (u) => (
              <>
                <Link href={`/admin/users/${u.id}`} className={`${textLink} break-all`}>
                  {u.email}
                </Link>
                {u.name && <span className="block text-xs font-normal text-slate-600 dark:text-slate-400">{u.name}</span>}
              </>
            ),
          },
          { key: "role", header: "Role", cell: (u) => u.role },
          { key: "balance", header: "Balance", align: "right", cell: (u) => formatNumber(u.balance) },
          { key: "checkouts", header: "Checkouts", align: "right", cell: (u) => u.checkouts },
          { key: "joined", header: "Joined", className: "whitespace-nowrap", cell: (u) => formatDateTime(u.createdAt) },
        ]}
      />
      <Pager base="/admin/users" params={q ? { q } : {}} page={data.page} pages={data.pages} total={data.total} noun="users" />
    </div>
  );
}
