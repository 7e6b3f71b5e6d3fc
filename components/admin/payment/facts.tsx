import Link from "next/link";
import { textLink } from "@/components/ui";
import type { PaymentDetail } from "@/lib/admin/detail";
import { describeRate, formatDateTime, formatMoney, formatRailAmount } from "@/lib/format";
import { Section } from "./section";

/** The checkout's facts: buyer, package, amounts in the rail's unit, rate, references, times. */
export function PaymentFacts({ d }: { d: PaymentDetail }) {
  const c = d.checkout;
  const facts: [string, React.ReactNode][] = [
    [
      "Buyer",
      <Link key="u" href={`/admin/users/${c.user.id}`} className={textLink}>
        {c.user.email}
      </Link>,
    ],
    ["Package", `${c.packageName} · ${c.credits} credits · ${formatMoney(c.priceMinor, c.currency)}`],
    ["Rail", c.rail],
    ["Amount due", formatRailAmount(c.expectedAmount, c.amountUnit)],
    ["Received", formatRailAmount(c.receivedAmount, c.amountUnit)],
    ["Rate", describeRate(c) ?? "—"],
    [
      "Address",
      c.address ? (
        <span key="a" className="font-mono text-xs">
          {c.address}
          {c.derivationIndex !== null ? ` (index ${c.derivationIndex})` : ""}
        </span>
      ) : (
        "—"
      ),
    ],
    ["Provider reference", c.externalRef ?? "—"],
    ["Confirmations", `${c.confirmations} / ${c.confirmationsRequired}`],
    ["Created", formatDateTime(c.createdAt)],
    ["Expires", formatDateTime(c.expiresAt)],
    ["Watched until", formatDateTime(c.monitorUntil)],
    ["Credited", c.creditedAt ? formatDateTime(c.creditedAt) : "—"],
  ];
  return (
    <Section id="facts" title="Details" className="lg:col-span-2">
      <dl className="space-y-3">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">{k}</dt>
            <dd className="mt-0.5 break-all text-sm text-slate-900 dark:text-white">{v}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}
