import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AccountForm } from "@/components/account/account-form";
import { Alert } from "@/components/alert";
import { card, textLink } from "@/components/ui";
import { peekToken } from "@/lib/account/tokens";
import { resetPasswordAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("reset"))("title") };
}
export const dynamic = "force-dynamic";

// /reset-password?token=… — the link from the email. Opening it changes nothing (mail
// scanners follow links); the new password is set by the form's POST, once.
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const [t, valid] = await Promise.all([getTranslations("reset"), peekToken(token, "password_reset")]);
  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("title")}</h1>
      <div className={`${card} mt-8 p-5 sm:p-8`}>
        {valid && typeof token === "string" ? (
          <AccountForm
            label={t("title")}
            action={resetPasswordAction}
            hidden={{ token }}
            fields={[{ name: "password", label: t("newPassword"), type: "password", autoComplete: "new-password", hint: t("passwordHint") }]}
            submit={t("save")}
          />
        ) : (
          <div className="space-y-4">
            <Alert tone="error">{t("expired")}</Alert>
            <Link href="/forgot-password" className={textLink}>
              {t("again")}
            </Link>
          </div>
        )}
      </div>
    </div>
  );
}
