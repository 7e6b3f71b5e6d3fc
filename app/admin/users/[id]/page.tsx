import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { adjustAction, roleAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { ExceptionBadge, StatusBadge } from "@/components/admin/badges";
import { LedgerTable } from "@/components/ledger-table";
import { card, textLink } from "@/components/ui";
import { userDetail } from "@/lib/admin/users";
import { requireAdminPage } from "@/lib/auth/guards";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "User" };
export const dynamic = "force-dynamic";

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const me = await requireAdminPage(`/admin/users/${id}`);
  const d = await userDetail(id);
  if (!d) notFound();
  const { user } = d;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm">
          <Link href="/admin/users" className={textLink}>
            Users
          </Link>{" "}
          /
        </p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">{user.email}</h1>
        <p className="mt-1 text-sm text-slate-600">
          {user.name ? `${user.name} · ` : ""}
          {user.role} · joined {formatDateTime(user.createdAt)} · <span className="font-mono text-xs">{user.id}</span>
        </p>
      </div>
      <section aria-labelledby="balance-title" className={`${card} flex flex-wrap items-start justify-between gap-4 p-6`}>
        <div>
          <h2 id="balance-title" className="text-sm font-medium text-slate-600">
            Balance
          </h2>
          <p className="mt-1 text-3xl font-bold tracking-tight text-slate-900 tabular" data-testid="user-balance">
            {formatCredits(user.balance)}
          </p>
        </div>
        <div className="flex flex-wrap gap-3">
          <ActionDialog
            action={adjustAction}
            label="Adjust balance"
            title="Adjust the balance"
            description="A positive number adds credits, a negative one removes them. Balances never go below zero."
            confirmLabel="Apply adjustment"
            hidden={{ userId: user.id }}
          >
            <div>
              <label htmlFor="adjust-amount" className="block text-sm font-medium text-slate-800">
                Credits
              </label>
              <input
                id="adjust-amount"
                name="amount"
                type="number"
                step={1}
                required
                className="mt-1.5 block w-40 rounded-lg border border-slate-300 px-3 py-2 text-sm"
              />
            </div>
          </ActionDialog>
          {user.role === "buyer" ? (
            <ActionDialog
              action={roleAction}
              label="Make admin"
              title={`Make ${user.email} an admin?`}
              description="Admins can credit, refund and change every buyer's balance."
              hidden={{ userId: user.id, role: "admin" }}
            />
          ) : d.lastAdmin ? (
            <p className="max-w-xs text-sm text-slate-600">The only admin: make someone else an admin before revoking this one.</p>
          ) : (
            <ActionDialog
              action={roleAction}
              label="Revoke admin"
              tone="danger"
              title={`Revoke admin from ${user.email}?`}
              description={user.id === me.id ? "This is you: you will lose access to this page at once." : "They keep their account and balance."}
              hidden={{ userId: user.id, role: "buyer" }}
            />
          )}
        </div>
      </section>
      <section aria-labelledby="profiles-title">
        <h2 id="profiles-title" className="mb-3 text-lg font-semibold text-slate-900">
          Rail profiles
        </h2>
        <dl className={`${card} grid grid-cols-1 gap-x-6 gap-y-3 p-4 text-sm sm:grid-cols-[auto_1fr]`} data-testid="rail-profiles">
          <dt className="font-medium text-slate-600">NEO Bank CPRN</dt>
          <dd className="break-all font-mono text-xs text-slate-900" data-testid="profile-cprn">
            {d.profiles.neobank?.cprn ?? "—"}
          </dd>
          <dt className="font-medium text-slate-600">Web3 wallet</dt>
          <dd className="break-all font-mono text-xs text-slate-900" data-testid="profile-web3">
            {d.profiles.neobank?.web3Address ?? "—"}
          </dd>
          <dt className="font-medium text-slate-600">M-Pesa number</dt>
          <dd className="font-mono text-xs text-slate-900" data-testid="profile-mpesa">
            {d.profiles.mpesaPhone ? `+${d.profiles.mpesaPhone.phone}` : "—"}
            {d.profiles.mpesaPhone && <span className="ml-2 font-sans text-slate-600">last used {formatDateTime(d.profiles.mpesaPhone.at)}</span>}
          </dd>
          <dt className="font-medium text-slate-600">Interledger wallet</dt>
          <dd className="break-all font-mono text-xs text-slate-900" data-testid="profile-interledger">
            {d.profiles.interledgerWallet?.address ?? "—"}
            {d.profiles.interledgerWallet && <span className="ml-2 font-sans text-slate-600">last used {formatDateTime(d.profiles.interledgerWallet.at)}</span>}
          </dd>
        </dl>
        {d.profiles.neobankDeposits.length > 0 && (
          <ul className={`${card} mt-3 divide-y divide-slate-100 text-sm`} aria-label="NEO Bank deposits without a checkout">
            {d.profiles.neobankDeposits.map((dep) => (
              <li key={dep.id} className="flex flex-wrap items-center gap-2 px-4 py-2">
                <span className="font-mono text-xs">{dep.gatewayTxId}</span>
                <span>{formatMoney(dep.amountMinor, dep.currency)}</span>
                <span className="text-slate-600">
                  NEO Bank deposit without a checkout · {dep.state}
                  {dep.credits ? ` · ${formatCredits(dep.credits)}` : ""}
                </span>
                <span className="ml-auto text-slate-600">{formatDateTime(dep.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="checkouts-title">
        <h2 id="checkouts-title" className="mb-3 text-lg font-semibold text-slate-900">
          Checkouts
        </h2>
        {d.checkouts.length === 0 ? (
          <p className="text-sm text-slate-600">None.</p>
        ) : (
          <ul className={`${card} divide-y divide-slate-100 text-sm`}>
            {d.checkouts.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-2 px-4 py-2">
                <Link href={`/admin/payments/${c.id}`} className={`${textLink} font-mono text-xs`}>
                  {c.id}
                </Link>
                <StatusBadge status={c.status} />
                <ExceptionBadge exception={c.exception} />
                <span>
                  {c.packageName} · {formatMoney(c.priceMinor, c.currency)} · {c.rail}
                </span>
                <span className="ml-auto text-slate-600">{formatDateTime(c.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
        <p className="mt-2 text-sm">
          <Link className={textLink} href={`/admin/payments?user=${user.id}`}>
            All of this user&apos;s payments
          </Link>
        </p>
      </section>
      <section aria-labelledby="ledger-title">
        <h2 id="ledger-title" className="mb-3 text-lg font-semibold text-slate-900">
          Ledger
        </h2>
        <LedgerTable entries={d.entries} />
      </section>
    </div>
  );
}
