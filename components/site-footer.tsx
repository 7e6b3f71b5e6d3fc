import { LocaleSwitcher } from "./locale-switcher";

export function SiteFooter({
  tagline,
  rails,
  language,
  locale,
  locales,
  switchLabel,
}: {
  tagline: string;
  rails: string;
  language: string;
  locale: string;
  locales: { code: string; name: string }[];
  switchLabel: string;
}) {
  return (
    <footer className="border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex max-w-6xl flex-col gap-3 px-4 py-6 text-sm text-slate-600 sm:flex-row sm:items-center sm:justify-between sm:px-6 dark:text-slate-400">
        <div>
          <p>{tagline}</p>
          <p>{rails}</p>
        </div>
        <LocaleSwitcher label={language} current={locale} locales={locales} switchLabel={switchLabel} />
      </div>
    </footer>
  );
}
