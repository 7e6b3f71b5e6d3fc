import { useLocale, useTranslations } from "next-intl";
import { DataTable } from "@/components/data-table";
import { formatDateTime, formatNumber, formatSignedCredits } from "@/lib/format";

export interface LedgerRow {
  id: string;
  amount: number;
  balanceAfter: number;
  reason: string;
  reference: string | null;
  createdAt: Date;
}

/** A credit history, newest first, with an empty state for new accounts. */
export function LedgerTable({ entries }: { entries: LedgerRow[] }) {
  const t = useTranslations("account.ledger");
  const locale = useLocale();
  return (
    <DataTable
      caption={t("caption")}
      rowKey={(e) => e.id}
      rows={entries}
      empty={{ title: t("empty"), body: t("emptyBody") }}
      columns={[
        {
          key: "amount",
          header: t("amount"),
          align: "right",
          primary: true,
          cell: (e) => (
            <span className={`font-semibold ${e.amount < 0 ? "text-red-700 dark:text-red-300" : "text-brand-700 dark:text-brand-300"}`}>
              {formatSignedCredits(e.amount, locale)}
            </span>
          ),
        },
        {
          key: "date",
          header: t("date"),
          className: "whitespace-nowrap",
          cell: (e) => <time dateTime={e.createdAt.toISOString()}>{formatDateTime(e.createdAt, locale)}</time>,
        },
        { key: "reason", header: t("reason"), cell: (e) => (t.has(`reasons.${e.reason}`) ? t(`reasons.${e.reason}`) : e.reason) },
        {
          key: "reference",
          header: t("reference"),
          hideBelow: "lg",
          className: "max-w-48 truncate font-mono text-xs",
          cell: (e) => (e.reference ? <span title={e.reference}>{e.reference}</span> : <span className="sr-only">{t("none")}</span>),
        },
        { key: "balance", header: t("balanceAfter"), align: "right", cell: (e) => formatNumber(e.balanceAfter, locale) },
      ]}
    />
  );
}
