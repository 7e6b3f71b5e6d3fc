"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { Suspense } from "react";

/**
 * The language switcher: a plain form POST to /api/locale (works without JavaScript), which
 * remembers the choice in a cookie (and on the account, for emails) and comes back here.
 */
export function LocaleSwitcher(props: { label: string; current: string; locales: { code: string; name: string }[]; switchLabel: string }) {
  return (
    <Suspense fallback={<Switcher {...props} back="/" />}>
      <WithPath {...props} />
    </Suspense>
  );
}

function WithPath(props: { label: string; current: string; locales: { code: string; name: string }[]; switchLabel: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  return <Switcher {...props} back={`${pathname}${search ? `?${search}` : ""}`} />;
}

function Switcher({
  label,
  current,
  locales,
  switchLabel,
  back,
}: {
  label: string;
  current: string;
  locales: { code: string; name: string }[];
  switchLabel: string;
  back: string;
}) {
  return (
    <form method="post" action="/api/locale" aria-label={label} className="flex items-center gap-1">
      <input type="hidden" name="back" value={back} />
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
