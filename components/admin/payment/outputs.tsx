import { DataTable } from "@/components/data-table";
import { textLink } from "@/components/ui";
import type { PaymentDetail } from "@/lib/admin/detail";
import { formatDateTime, formatRailAmount } from "@/lib/format";
import { empty, Section } from "./section";

/** What the chain showed for the address, and the hot wallet's forwarding sweep. */
export function PaymentOutputs({ d }: { d: PaymentDetail }) {
  return (
    <Section id="outputs" title="Chain outputs">
      {d.outputs.length === 0 ? (
        <p className={empty}>None seen.</p>
      ) : (
        <DataTable
          caption="Outputs seen on the chain"
          rowKey={(o) => o.id}
          rows={d.outputs}
          cardsBelow="lg"
          empty={{ title: "None seen." }}
          columns={[
            {
              key: "tx",
              header: "Transaction",
              primary: true,
              className: "break-all font-mono text-xs",
              cell: (o) =>
                o.explorerUrl ? (
                  <a href={o.explorerUrl} target="_blank" rel="noreferrer noopener" className={textLink}>
                    {o.txid}:{o.vout}
                  </a>
                ) : (
                  `${o.txid}:${o.vout}`
                ),
            },
            { key: "sats", header: "Amount", align: "right", className: "whitespace-nowrap", cell: (o) => formatRailAmount(o.sats, "sat") },
            { key: "block", header: "Block", cell: (o) => o.blockHeight ?? "mempool" },
            { key: "seen", header: "First seen", className: "whitespace-nowrap", cell: (o) => formatDateTime(o.firstSeenAt) },
            { key: "state", header: "State", cell: (o) => (o.goneAt ? `gone since ${formatDateTime(o.goneAt)}` : "live") },
          ]}
        />
      )}
      {d.sweep && (
        <div className="mt-4 text-sm">
          <h3 className="font-medium text-slate-900 dark:text-white">Forwarding transaction</h3>
          <p className="mt-1 break-all font-mono text-xs">
            {d.sweep.explorerUrl ? (
              <a href={d.sweep.explorerUrl} target="_blank" rel="noreferrer noopener" className={textLink}>
                {d.sweep.txid}
              </a>
            ) : (
              d.sweep.txid
            )}
          </p>
          <p className="mt-1 text-slate-700 dark:text-slate-300">
            {formatRailAmount(d.sweep.amountSats, "sat")} to <span className="break-all">{d.sweep.toAddress}</span>, fee{" "}
            {formatRailAmount(d.sweep.feeSats, "sat")} ({d.sweep.feeRate} sat/vB) ·{" "}
            {d.sweep.confirmedAt
              ? `confirmed ${formatDateTime(d.sweep.confirmedAt)}`
              : d.sweep.broadcastAt
                ? `broadcast ${formatDateTime(d.sweep.broadcastAt)}`
                : "stored, not yet broadcast"}{" "}
            · {d.sweep.attempts} attempts
            {d.sweep.error ? ` · last error: ${d.sweep.error}` : ""}
          </p>
        </div>
      )}
    </Section>
  );
}
