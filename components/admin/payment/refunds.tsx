import { ActionDialog, type AdminAction } from "@/components/admin/action-dialog";
import type { PaymentDetail } from "@/lib/admin/detail";
import { formatDateTime, formatRailAmount } from "@/lib/format";
import { empty, Section } from "./section";

const inputClass = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs focus-visible:border-brand-600";

const STATUS_LABEL: Record<string, string> = {
  awaiting_claim: "awaiting the buyer's claim",
  claimed: "claimed",
  signed: "signed and stored, not yet broadcast",
  broadcast: "broadcast",
  confirmed: "confirmed",
  recorded: "recorded (paid outside Satchel)",
};

/** Refunds of money (sats or shillings back to the buyer): the list, and the forms to make and record them. */
export function PaymentRefunds({ d, actions }: { d: PaymentDetail; actions: { create: AdminAction; recordTxid: AdminAction } }) {
  const c = d.checkout;
  const btc = c.rail === "btc";
  const unitLabel = btc ? "sats" : c.amountUnit;
  const prefill = d.refundExcess > 0n ? d.refundExcess : d.refundableLeft;
  const reason =
    d.refundExcess > 0n ? (c.exception === "overpaid" ? "overpayment: refunding the excess" : "paid after crediting: refunding the extra payment") : "";
  return (
    <Section id="refunds" title="Refunds of money">
      {d.refunds.length === 0 ? (
        <p className={empty}>No money refunded.</p>
      ) : (
        <ul className="space-y-3 text-sm">
          {d.refunds.map((r) => (
            <li key={r.id} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
              <p className="font-medium text-slate-900 dark:text-white">
                {formatRailAmount(r.amount, r.unit)} · <span data-testid="refund-status">{STATUS_LABEL[r.status] ?? r.status}</span>
              </p>
              <p className="mt-1 text-slate-700 dark:text-slate-300">
                {r.reason} · created {formatDateTime(r.createdAt)}
                {r.method === "bitcoin_hot" ? " · paid by the hot wallet" : r.method === "bitcoin_manual" ? " · paid by an admin" : ""}
              </p>
              {r.address && (
                <p className="mt-1 break-all text-slate-700 dark:text-slate-300">
                  {formatRailAmount(r.payoutSats ?? 0n, "sat")} to {r.address} (fee shown to the buyer {formatRailAmount(r.feeSats ?? 0n, "sat")}
                  {r.networkFeeSats !== null ? `; the transaction pays ${formatRailAmount(r.networkFeeSats, "sat")}` : ""})
                </p>
              )}
              {r.txid && <p className="mt-1 break-all font-mono text-xs">{r.txid}</p>}
              {r.externalRef && <p className="mt-1">Reference: {r.externalRef}</p>}
              {r.error && <p className="mt-1 text-red-700 dark:text-red-400">Last error: {r.error}</p>}
              {r.method === "bitcoin_manual" && r.status === "claimed" && (
                <div className="mt-2">
                  <ActionDialog
                    action={actions.recordTxid}
                    label="Record the payout"
                    title="Record the refund you paid"
                    description={
                      <>
                        Send {formatRailAmount(r.payoutSats ?? 0n, "sat")} to <span className="break-all font-mono">{r.address}</span> from your wallet, then
                        enter the transaction id.
                      </>
                    }
                    confirmLabel="Record txid"
                    hidden={{ refundId: r.id, checkoutId: c.id }}
                    reason="refund paid from the merchant wallet"
                  >
                    <label className="block text-sm font-medium text-slate-800">
                      Transaction id
                      <input name="txid" required pattern="[0-9a-fA-F]{64}" className={`${inputClass} mt-1.5 font-mono`} />
                    </label>
                  </ActionDialog>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {btc && d.refundWallet && (
        <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">
          Refund wallet (hot wallet, m/84&apos;/…/0&apos;/1/0): <span className="break-all font-mono">{d.refundWallet}</span> — keep it funded.
        </p>
      )}
      {d.can.refundMoney && (
        <div className="mt-4">
          <ActionDialog
            action={actions.create}
            label="Refund money"
            tone={d.refundExcess > 0n ? "primary" : "secondary"}
            title="Refund money to the buyer?"
            description={
              <>
                At most {formatRailAmount(d.refundableLeft, c.amountUnit)} can go back (received, less earlier refunds).{" "}
                {btc
                  ? "The buyer is emailed a link to enter a Bitcoin address; the network fee comes out of the amount and is shown to them first."
                  : "Make the refund with the provider first, then record its reference here."}{" "}
                Credits are not touched (use “Refund credits” for that).
              </>
            }
            confirmLabel="Create refund"
            hidden={{ checkoutId: c.id }}
            reason={reason}
          >
            <div className="flex gap-2">
              <label className="block flex-1 text-sm font-medium text-slate-800">
                Amount
                <input name="amount" required inputMode="numeric" defaultValue={prefill.toString()} className={`${inputClass} mt-1.5`} />
              </label>
              {btc ? (
                <label className="block text-sm font-medium text-slate-800">
                  Unit
                  <select name="unit" defaultValue="rail" className={`${inputClass} mt-1.5`}>
                    <option value="rail">{unitLabel}</option>
                    <option value="price">{c.currency} (smallest unit, at the checkout&apos;s rate)</option>
                  </select>
                </label>
              ) : null}
            </div>
            {!btc && (
              <label className="block text-sm font-medium text-slate-800">
                Provider reference of the refund
                <input name="externalRef" required minLength={2} maxLength={200} className={`${inputClass} mt-1.5`} />
              </label>
            )}
          </ActionDialog>
        </div>
      )}
    </Section>
  );
}
