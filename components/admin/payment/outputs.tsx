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
      {d.sweeps.map((sweep) => (
        <div key={sweep.txid} className="mt-4 text-sm">
          <h3 className="font-medium text-slate-900 dark:text-white">
            {sweep.seq === 0 ? "Forwarding transaction" : `Forwarding of money paid after crediting (${sweep.seq})`}
          </h3>
          <p className="mt-1 break-all font-mono text-xs">
            {sweep.explorerUrl ? (
              <a href={sweep.explorerUrl} target="_blank" rel="noreferrer noopener" className={textLink}>
                {sweep.txid}
              </a>
            ) : (
              sweep.txid
            )}
          </p>
          <p className="mt-1 text-slate-700 dark:text-slate-300">
            {formatRailAmount(sweep.amountSats, "sat")} to <span className="break-all">{sweep.toAddress}</span>, fee {formatRailAmount(sweep.feeSats, "sat")} (
            {sweep.feeRate} sat/vB) ·{" "}
            {sweep.confirmedAt
              ? `confirmed ${formatDateTime(sweep.confirmedAt)}`
              : sweep.broadcastAt
                ? `broadcast ${formatDateTime(sweep.broadcastAt)}`
                : "stored, not yet broadcast"}{" "}
            · {sweep.attempts} attempts
            {sweep.error ? ` · last error: ${sweep.error}` : ""}
          </p>
          {sweep.batch ? (
            <p className="mt-1 text-slate-700 dark:text-slate-300">
              {sweep.batch.checkouts > 1
                ? `Batched with ${sweep.batch.checkouts - 1} other checkout(s): ${sweep.batch.inputs} inputs, ${sweep.batch.vsize} vB, ${formatRailAmount(sweep.batch.amountSats, "sat")} forwarded for a ${formatRailAmount(sweep.batch.feeSats, "sat")} fee in all; this checkout's share is shown above.`
                : `${sweep.batch.inputs} input(s), ${sweep.batch.vsize} vB.`}
              {sweep.batch.replaces ? ` Fee bump (RBF) of ${sweep.batch.replaces}.` : ""}
              {sweep.batch.error && sweep.batch.error !== sweep.error ? ` ${sweep.batch.error}` : ""}
            </p>
          ) : null}
        </div>
      ))}
      {d.sweepWait ? (
        <div className="mt-4 text-sm">
          <h3 className="font-medium text-slate-900 dark:text-white">Forwarding waits</h3>
          <p className="mt-1 text-slate-700 dark:text-slate-300">
            {formatRailAmount(d.sweepWait.sats, "sat")} confirmed, not swept yet: {d.sweepWait.reason}. Waiting since {formatDateTime(d.sweepWait.since)}, last
            looked at {formatDateTime(d.sweepWait.checkedAt)}; the next sweep tries again.
          </p>
        </div>
      ) : null}
    </Section>
  );
}
