import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonPrimary } from "@/components/ui";

export default async function NotFound() {
  const t = await getTranslations("common.notFound");
  return (
    <div className="mx-auto max-w-md py-10 text-center">
      <p className="text-sm font-semibold text-brand-700 dark:text-brand-300">404</p>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-300">{t("body")}</p>
      <Link href="/" className={`${buttonPrimary} mt-8`}>
        {t("back")}
      </Link>
    </div>
  );
}
