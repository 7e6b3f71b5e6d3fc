import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { card, textLink } from "@/components/ui";
import { sessionUser } from "@/lib/auth";
import { pickMessages } from "@/lib/i18n/messages";
import { safeCallbackUrl } from "../sign-in/callback-url";
import { SignUpForm } from "./sign-up-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth.signUp"))("metaTitle") };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await sessionUser()) redirect(callbackUrl);
  const [t, locale] = await Promise.all([getTranslations("auth.signUp"), getLocale()]);
  const signInHref = params.callbackUrl ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in";

  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-300">{t("lead")}</p>

      <div className={`${card} mt-8 p-5 sm:p-8`}>
        <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["auth"])}>
          <SignUpForm callbackUrl={callbackUrl} />
        </NextIntlClientProvider>
      </div>

      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-300">
        {t("have")}{" "}
        <Link href={signInHref} className={textLink}>
          {t("signIn")}
        </Link>
      </p>
    </div>
  );
}
