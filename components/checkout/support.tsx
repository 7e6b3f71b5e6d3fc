import { useTranslations } from "next-intl";
import { textLink } from "@/components/ui";

/** How the operator can be reached (SUPPORT_EMAIL / SUPPORT_URL); null when neither is set. */
export interface SupportContact {
  email: string | null;
  url: string | null;
}

/** "Questions? Write to support@… or visit …", quoting the checkout's reference. */
export function SupportLine({ support, reference }: { support: SupportContact; reference: string }) {
  const t = useTranslations("checkout.support");
  const subject = encodeURIComponent(t("subject", { reference }));
  return (
    <p className="text-sm text-slate-700 dark:text-slate-300" data-testid="support">
      {support.email || support.url ? t("lead") : t("noContact")}{" "}
      {support.email && (
        <a href={`mailto:${support.email}?subject=${subject}`} className={textLink}>
          {support.email}
        </a>
      )}
      {support.email && support.url ? ` ${t("or")} ` : null}
      {support.url && (
        <a href={support.url} className={textLink} rel="noreferrer noopener" target="_blank">
          {t("visit")}
        </a>
      )}{" "}
      {t("quote", { reference })}
    </p>
  );
}
