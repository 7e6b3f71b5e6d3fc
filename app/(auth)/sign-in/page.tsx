import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getTranslations } from "next-intl/server";
import { Alert } from "@/components/alert";
import { buttonSecondary, card, textLink } from "@/components/ui";
import { sessionUser, signInMethods } from "@/lib/auth";
import { pickMessages } from "@/lib/i18n/messages";
import { signInWithGitHub } from "./actions";
import { safeCallbackUrl } from "./callback-url";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("auth.signIn"))("title") };
}

// Auth.js sends people back here with ?error=<type> when a provider flow fails.
const AUTH_ERRORS = ["CredentialsSignin", "Verification", "OAuthAccountNotLinked", "AccessDenied", "Configuration", "EmailRequired", "EmailSignin"];

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await sessionUser()) redirect(callbackUrl);

  const [t, locale] = await Promise.all([getTranslations("auth.signIn"), getLocale()]);
  const methods = signInMethods();
  const errorType = typeof params.error === "string" ? params.error : undefined;
  const initialError = errorType ? (AUTH_ERRORS.includes(errorType) ? t(`errors.${errorType}`) : t("errors.failed")) : undefined;
  const signUpHref = params.callbackUrl ? `/sign-up?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-up";

  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-300">{t("lead")}</p>

      <div className={`${card} mt-8 space-y-6 p-5 sm:p-8`}>
        {params.check === "email" && <Alert tone="success">{t("checkEmail")}</Alert>}
        {params.reset === "done" && <Alert tone="success">{t("resetDone")}</Alert>}
        {methods.github && (
          <>
            <form action={signInWithGitHub}>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <button type="submit" className={`${buttonSecondary} w-full`}>
                <GitHubMark />
                {t("github")}
              </button>
            </form>
            <div className="flex items-center gap-3 text-xs uppercase tracking-wide text-slate-500" aria-hidden="true">
              <span className="h-px flex-1 bg-slate-200" />
              {t("or")}
              <span className="h-px flex-1 bg-slate-200" />
            </div>
          </>
        )}
        <NextIntlClientProvider locale={locale} messages={pickMessages(locale, ["auth"])}>
          <SignInForm callbackUrl={callbackUrl} emailLink={methods.email} initialError={initialError} />
        </NextIntlClientProvider>
      </div>

      <p className="mt-6 text-center text-sm text-slate-600 dark:text-slate-300">
        {t("new")}{" "}
        <Link href={signUpHref} className={textLink}>
          {t("create")}
        </Link>
      </p>
    </div>
  );
}

function GitHubMark() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-4" fill="currentColor">
      <path d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0 0 16 8c0-4.42-3.58-8-8-8Z" />
    </svg>
  );
}
