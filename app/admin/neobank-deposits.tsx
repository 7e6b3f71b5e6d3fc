import Link from "next/link";
import { creditDepositAction, refundDepositAction } from "@/app/admin/actions";
import { ActionDialog } from "@/components/admin/action-dialog";
import { card, textLink } from "@/components/ui";
import type { DepositRow } from "@/lib/admin/neobank-deposits";
import { formatDateTime, formatMoney, formatNumber } from "@/lib/format";

// The overview's worklist of NEO Bank deposits that came without a checkout (compat mode: money
// the gateway confirmed on a buyer's CPRN, lib/rails/neobank/deposits.ts): each waits here until
// an admin credits it to the buyer or marks it refunded outside Satchel.
export function NeobankDepositsWorklist({ deposits }: { deposits: DepositRow[] }) {
  if (deposits.length === 0) return null;
  return (
    <section id="neobank-deposits" aria-labelledby="neobank-deposits-title" className="mt-8" data-testid="neobank-deposits">
      <h2 id="neobank-deposits-title" className="mb-1 text-base font-semibold text-slate-900">
        NEO Bank deposits without a checkout
      </h2>
      <p className="mb-3 text-sm text-slate-600">
        The gateway confirmed these payments on a buyer&apos;s CPRN, but no checkout here started them. Credit each to its buyer, or mark it refunded once NEO
        Bank returned the money.
      </p>
      <ul className={`${card} divide-y divide-slate-100 text-sm`}>
        {deposits.map((d) => (
          <li key={d.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
            <span className="font-semibold text-slate-900">{formatMoney(d.amountMinor, d.currency)}</span>
            <span className="font-mono text-xs text-slate-700">{d.gatewayTxId}</span>
            <span className="text-slate-700">
              CPRN <span className="font-mono text-xs">{d.cprn}</span> ·{" "}
              {d.userId ? (
                <Link className={textLink} href={`/admin/users/${d.userId}`}>
                  {d.email}
                </Link>
              ) : (
                "no buyer here has this CPRN"
              )}
            </span>
            <span className="text-slate-600">{formatDateTime(d.createdAt)}</span>
            <span className="ml-auto flex flex-wrap gap-2">
              {d.userId && (
                <ActionDialog
                  action={creditDepositAction}
                  label="Credit"
                  tone="primary"
                  title={`Credit ${formatMoney(d.amountMinor, d.currency)} to ${d.email}?`}
                  description={
                    d.suggestedCredits
                      ? `At NEOBANK_CREDITS_PER_UNIT that is ${formatNumber(d.suggestedCredits)} credits; change the number if you agreed otherwise.`
                      : "NEOBANK_CREDITS_PER_UNIT is not set: enter the credits to add."
                  }
                  confirmLabel="Credit the buyer"
                  hidden={{ depositId: d.id }}
                >
                  <div>
                    <label htmlFor={`deposit-credits-${d.id}`} className="block text-sm font-medium text-slate-800">
                      Credits
                    </label>
                    <input
                      id={`deposit-credits-${d.id}`}
                      name="credits"
                      type="number"
                      min={1}
                      step={1}
                      required
                      defaultValue={d.suggestedCredits ?? undefined}
                      className="mt-1.5 block w-40 rounded-lg border border-slate-300 px-3 py-2 text-sm"
                    />
                  </div>
                </ActionDialog>
              )}
              <ActionDialog
                action={refundDepositAction}
                label="Mark refunded"
                title="Mark this deposit refunded?"
                description="Only once NEO Bank returned the money to the sender. No credits move."
                confirmLabel="Mark refunded"
                hidden={{ depositId: d.id }}
              />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
