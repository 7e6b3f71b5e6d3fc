import { getTranslations } from "next-intl/server";

// Shown at once while the next page renders on the server (every navigation gets feedback).
export default async function Loading() {
  const t = await getTranslations("common");
  return (
    <div role="status" className="flex items-center gap-3 py-10 text-slate-600 dark:text-slate-300">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-5 animate-spin" fill="none">
        <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.3" strokeWidth="3" />
        <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
      {t("loading")}
    </div>
  );
}
