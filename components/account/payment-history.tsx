import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { DataTable } from "@/components/data-table";
import { textLink } from "@/components/ui";
import { formatDateTime, formatMoney, formatRailAmount } from "@/lib/format";

export interface HistoryRow {
  id: string;
  createdAt: Date;
  rail: string;
  status: string;
  exception: string | null;
  packageName: string;
  credits: number;
  priceMinor: number;
  currency: string;
  /** Credits taken back by a refund (0 if none). */
  refunded?: number;
  /** Received beyond the price, in amountUnit ("0" if nothing). */
  extra?: string;
  amountUnit?: string;
}

/** The exceptions a buyer is told about, and the message key: after crediting only those that concern them. */
function exceptionKey(r: HistoryRow): string | null {
  if (!r.exception) return null;
  const credited = r.status === "credited" || r.status === "forwarded";
  if (r.exception === "invalid" && (r.status === "pending" || r.status === "confirming")) return "invalidOpen";
  if (credited && !["paid_after_credit", "reversed", "overpaid"].includes(r.exception)) return null;
  return r.exception;
}

/** The buyer's payments: status, rail, amount, date; a receipt for credited ones, a link back to open ones. */
export function PaymentHistory({ rows }: { rows: HistoryRow[] }) {
  const t = useTranslations("account.payments");
  const locale = useLocale();
  return (
    <DataTable
      caption={t("caption")}
      rowKey={(r) => r.id}
      rows={rows}
      empty={{ title: t("empty"), body: t("emptyBody") }}
      columns={[
        {
          key: "package",
          header: t("package"),
          primary: true,
          cell: (r) => (
            <>
              {r.packageName} <span className="font-normal text-slate-600 dark:text-slate-400">({t("credits", { count: r.credits })})</span>
            </>
          ),
        },
        {
          key: "date",
          header: t("date"),
          className: "whitespace-nowrap",
          cell: (r) => <time dateTime={r.createdAt.toISOString()}>{formatDateTime(r.createdAt, locale)}</time>,
        },
        { key: "rail", header: t("rail"), cell: (r) => t(`rails.${r.rail}`) },
        { key: "amount", header: t("amount"), align: "right", className: "whitespace-nowrap", cell: (r) => formatMoney(r.priceMinor, r.currency, locale) },
        {
          key: "status",
          header: t("statusHeader"),
          cell: (r) => {
            const key = exceptionKey(r);
            return (
              <>
                {r.refunded ? t("refunded") : t(`status.${r.status}`)}
                {key && t.has(`exception.${key}`) && (
                  <span className="block text-xs text-amber-900 dark:text-amber-200">
                    {t(`exception.${key}`, { extra: formatRailAmount(r.extra ?? "0", r.amountUnit ?? r.currency, locale) })}
                  </span>
                )}
              </>
            );
          },
        },
        {
          key: "links",
          header: t("links"),
          className: "whitespace-nowrap",
          cell: (r) =>
            r.status === "credited" || r.status === "forwarded" ? (
              <Link
                href={`/account/receipts/${r.id}`}
                className={textLink}
                aria-label={t("receiptFor", { name: r.packageName, date: formatDateTime(r.createdAt, locale) })}
              >
                {t("receipt")}
              </Link>
            ) : (
              <Link
                href={`/checkout/${r.id}`}
                className={textLink}
                aria-label={t(r.status === "pending" || r.status === "confirming" ? "continueFor" : "detailsFor", { name: r.packageName })}
              >
                {t(r.status === "pending" || r.status === "confirming" ? "continue" : "details")}
              </Link>
            ),
        },
      ]}
    />
  );
}
