import { getLocale, getTranslations } from "next-intl/server";
import { PackageCard } from "@/components/package-card";
import { sessionUser } from "@/lib/auth";
import { formatMoney } from "@/lib/format";
import { activePackages } from "@/lib/packages/packages";

// Packages and the session are read per request.
export const dynamic = "force-dynamic";

export default async function Home() {
  const [packages, user, t, locale] = await Promise.all([activePackages(), sessionUser(), getTranslations("home"), getLocale()]);
  // Signed-out buyers go through sign-in and come straight back to the package they chose.
  const buyHref = (slug: string) => (user ? `/buy/${encodeURIComponent(slug)}` : `/sign-in?callbackUrl=/buy/${encodeURIComponent(slug)}`);

  return (
    <div className="space-y-12">
      <div className="max-w-2xl">
        <h1 className="text-3xl font-bold tracking-tight text-slate-900 sm:text-4xl dark:text-white">{t("title")}</h1>
        <p className="mt-4 text-lg text-slate-600 dark:text-slate-300">{t("lead")}</p>
      </div>

      <section aria-labelledby="packages-title">
        <h2 id="packages-title" className="text-xl font-semibold text-slate-900 dark:text-white">
          {t("packages")}
        </h2>
        {packages.length === 0 ? (
          <p className="mt-4 rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-slate-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300">
            {t("none")}
          </p>
        ) : (
          <ul role="list" className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {packages.map((p) => (
              <li key={p.id}>
                <PackageCard
                  pkg={p}
                  buyHref={buyHref(p.slug)}
                  credits={t("credits", { count: p.credits })}
                  price={t("for", { price: formatMoney(p.priceMinor, p.currency, locale) })}
                  buy={t("buy")}
                />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="border-t border-slate-200 pt-10 dark:border-slate-800">
        <h2 className="sr-only">{t("howTitle")}</h2>
        <ul role="list" className="grid gap-6 sm:grid-cols-3">
          <Point title={t("points.fixed.title")}>{t("points.fixed.body")}</Point>
          <Point title={t("points.once.title")}>{t("points.once.body")}</Point>
          <Point title={t("points.history.title")}>{t("points.history.body")}</Point>
        </ul>
      </section>
    </div>
  );
}

function Point({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <li>
      <p className="flex items-center gap-2 font-semibold text-slate-900 dark:text-white">
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5 text-brand-600 dark:text-brand-400" fill="currentColor">
          <path
            fillRule="evenodd"
            d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.58l7.3-7.3a1 1 0 0 1 1.4 0Z"
            clipRule="evenodd"
          />
        </svg>
        {title}
      </p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{children}</p>
    </li>
  );
}
