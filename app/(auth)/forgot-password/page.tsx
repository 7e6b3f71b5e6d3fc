import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AccountForm } from "@/components/account/account-form";
import { card, textLink } from "@/components/ui";
import { requestResetAction } from "../reset-password/actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reset"))("forgotTitle") };
}

// /forgot-password — asks for a reset link. The answer never says whether an account exists.
export default async function ForgotPasswordPage() {
  const t = await getTranslations("reset");
  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("forgotTitle")}</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-300">{t("forgotLead")}</p>
      <div className={`${card} mt-8 p-5 sm:p-8`}>
        <AccountForm
          label={t("forgotTitle")}
          action={requestResetAction}
          fields={[{ name: "email", label: t("email"), type: "email", autoComplete: "email" }]}
          submit={t("send")}
        />
      </div>
      <p className="mt-6 text-center text-sm">
        <Link href="/sign-in" className={textLink}>
          {t("backToSignIn")}
        </Link>
      </p>
    </div>
  );
}
