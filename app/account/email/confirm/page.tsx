import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import { card, textLink } from "@/components/ui";
import { confirmEmailChange } from "@/lib/account/settings";
import { peekToken } from "@/lib/account/tokens";
import { isAppError } from "@/lib/errors";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("confirmTitle") };
}
export const dynamic = "force-dynamic";

async function confirm(form: FormData) {
  "use server";
  try {
    await confirmEmailChange(form.get("token"));
  } catch (err) {
    if (isAppError(err)) redirect(`/account/email/confirm?failed=${err.code}`);
    throw err;
  }
  redirect("/account/email/confirm?done=1");
}

// /account/email/confirm?token=… — the link sent to the new address. Opening it changes
// nothing (mail scanners follow links); the button's POST moves the account, once.
export default async function ConfirmEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const t = await getTranslations("settings");
  const token = typeof sp.token === "string" ? sp.token : null;
  const valid = token ? await peekToken(token, "email_change") : null;
  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("confirmTitle")}</h1>
      <div className={`${card} mt-8 space-y-4 p-5 sm:p-8`}>
        {sp.done ? (
          <>
            <Alert tone="success">{t("confirmed")}</Alert>
            <Link href="/account" className={textLink}>
              {t("backToAccount")}
            </Link>
          </>
        ) : valid && token ? (
          <form action={confirm} className="space-y-4">
            <p className="text-slate-800 dark:text-slate-200">{t("confirmLead", { email: valid.newEmail ?? "" })}</p>
            <input type="hidden" name="token" value={token} />
            <SubmitButton>{t("confirm")}</SubmitButton>
          </form>
        ) : (
          <Alert tone="error">{sp.failed === "conflict" ? t("errors.emailTaken") : t("confirmExpired")}</Alert>
        )}
      </div>
    </div>
  );
}
