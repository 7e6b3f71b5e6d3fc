/**
 * The language switcher: a plain form POST to /api/locale (no JavaScript at all), which
 * remembers the choice in a cookie (and on the account, for emails) and sends the browser back
 * to the page it came from (its Referer, same site only).
 */
export function LocaleSwitcher({
  label,
  current,
  locales,
  switchLabel,
}: {
  label: string;
  current: string;
  locales: { code: string; name: string }[];
  switchLabel: string;
}) {
  return (
    <form method="post" action="/api/locale" aria-label={label} className="flex items-center gap-1">
      <span className="mr-1">{label}:</span>
      {locales.map((l) => (
        <button
          key={l.code}
          type="submit"
          name="locale"
          value={l.code}
          lang={l.code}
          aria-pressed={l.code === current}
          aria-label={l.code === current ? l.name : `${switchLabel} ${l.name}`}
          className="rounded-md px-2 py-1 font-medium text-slate-700 underline-offset-4 hover:bg-slate-100 aria-pressed:text-brand-800 aria-pressed:underline dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-pressed:text-brand-200"
        >
          {l.name}
        </button>
      ))}
    </form>
  );
}
