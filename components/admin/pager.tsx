import Link from "next/link";
import { textLink } from "@/components/ui";

/** Previous/next links that keep the other search params. */
export function Pager({
  base,
  params,
  page,
  pages,
  total,
  noun,
}: {
  base: string;
  params: Record<string, string>;
  page: number;
  pages: number;
  total: number;
  noun: string;
}) {
  const href = (p: number) => `${base}?${new URLSearchParams({ ...params, page: String(p) })}`;
  return (
    <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700 dark:text-slate-300">
      <p>
        {total} {noun} · page {page} of {pages}
      </p>
      <div className="flex gap-3">
        {page > 1 ? (
          <Link href={href(page - 1)} className={textLink}>
            Previous
          </Link>
        ) : (
          <span className="text-slate-600 dark:text-slate-400" aria-disabled="true">
            Previous
          </span>
        )}
        {page < pages ? (
          <Link href={href(page + 1)} className={textLink}>
            Next
          </Link>
        ) : (
          <span className="text-slate-600 dark:text-slate-400" aria-disabled="true">
            Next
          </span>
        )}
      </div>
    </nav>
  );
}
