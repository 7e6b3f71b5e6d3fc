import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AccountForm } from "@/components/account/account-form";
import { PageTitle } from "@/components/page-title";
import { card, textLink } from "@/components/ui";
import { requireUserPage } from "@/lib/auth/guards";
import { emailAction, nameAction, passwordAction } from "./actions";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("title") };
}
export const dynamic = "force-dynamic";

// /account/settings — name, password and email (by a link to the new address). The language
// is the switcher at the bottom of every page.
export default async function SettingsPage() {
  const user = await requireUserPage("/account/settings");
  const t = await getTranslations("settings");
  const section = `${card} space-y-4 p-5 sm:p-6`;
  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <p className="text-sm">
        <Link href="/account" className={textLink}>
          {t("back")}
        </Link>
      </p>
      <PageTitle title={t("title")} lead={t("lead", { email: user.email })} />
      <section aria-labelledby="name-title" className={section}>
        <h2 id="name-title" className="text-lg font-semibold text-slate-900 dark:text-white">
          {t("nameTitle")}
        </h2>
        <AccountForm
          label={t("nameTitle")}
          action={nameAction}
          fields={[{ name: "name", label: t("name"), autoComplete: "name", defaultValue: user.name ?? "", optional: true }]}
          optionalLabel={t("optional")}
          submit={t("saveName")}
        />
      </section>
      <section aria-labelledby="password-title" className={section}>
        <h2 id="password-title" className="text-lg font-semibold text-slate-900 dark:text-white">
          {t("passwordTitle")}
        </h2>
        <AccountForm
          label={t("passwordTitle")}
          action={passwordAction}
          fields={[
            { name: "currentPassword", label: t("currentPassword"), type: "password", autoComplete: "current-password" },
            { name: "password", label: t("newPassword"), type: "password", autoComplete: "new-password", hint: t("passwordHint") },
          ]}
          submit={t("savePassword")}
        />
      </section>
      <section aria-labelledby="email-title" className={section}>
        <h2 id="email-title" className="text-lg font-semibold text-slate-900 dark:text-white">
          {t("emailTitle")}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{t("emailLead")}</p>
        <AccountForm
          label={t("emailTitle")}
          action={emailAction}
          fields={[
            { name: "newEmail", label: t("newEmail"), type: "email", autoComplete: "email" },
            { name: "currentPassword", label: t("currentPassword"), type: "password", autoComplete: "current-password" },
          ]}
          submit={t("sendLink")}
        />
      </section>
    </div>
  );
}
