import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/admin/pager";
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
          className="block w-full max-w-md rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-xs"
        />
        <button type="submit" className={buttonPrimary}>
          Search
        </button>
      </form>
      <div role="region" aria-labelledby="users-caption" tabIndex={0} className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full min-w-[40rem] text-left text-sm">
          <caption id="users-caption" className="sr-only">
            Users, newest first
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Email
              </th>
              <th scope="col" className="px-4 py-3">
                Role
              </th>
              <th scope="col" className="px-4 py-3 text-right">
                Balance
              </th>
              <th scope="col" className="px-4 py-3 text-right">
                Checkouts
              </th>
              <th scope="col" className="px-4 py-3">
                Joined
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.rows.map((u) => (
              <tr key={u.id}>
                <td className="px-4 py-3">
                  <Link href={`/admin/users/${u.id}`} className={textLink}>
                    {u.email}
                  </Link>
                  {u.name && <span className="block text-xs text-slate-500">{u.name}</span>}
                </td>
                <td className="px-4 py-3">{u.role}</td>
                <td className="px-4 py-3 text-right tabular">{formatNumber(u.balance)}</td>
                <td className="px-4 py-3 text-right tabular">{u.checkouts}</td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager base="/admin/users" params={q ? { q } : {}} page={data.page} pages={data.pages} total={data.total} noun="users" />
    </div>
  );
}
