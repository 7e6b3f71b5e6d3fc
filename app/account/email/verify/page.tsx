import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/alert";
import { SubmitButton } from "@/components/submit-button";
import { card, textLink } from "@/components/ui";
import { confirmEmailAddress, peekVerification } from "@/lib/account/verify-email";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("settings"))("verifyTitle") };
}
export const dynamic = "force-dynamic";

async function verify(form: FormData) {
  "use server";
  const ok = await confirmEmailAddress(form.get("token"));
  redirect(ok ? "/account/email/verify?done=1" : "/account/email/verify?failed=1");
}

// /account/email/verify?token=… — the link sent at sign-up. Opening it changes nothing (mail
// scanners follow links); the button's POST proves the address, once.
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const t = await getTranslations("settings");
  const token = typeof sp.token === "string" ? sp.token : null;
  const valid = token ? await peekVerification(token) : null;
  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t("verifyTitle")}</h1>
      <div className={`${card} mt-8 space-y-4 p-5 sm:p-8`}>
        {sp.done ? (
          <>
            <Alert tone="success">{t("verified")}</Alert>
            <Link href="/account" className={textLink}>
              {t("backToAccount")}
            </Link>
          </>
        ) : valid && token ? (
          <form action={verify} className="space-y-4">
            <p className="text-slate-800 dark:text-slate-200">{t("verifyLead", { email: valid.email })}</p>
            <input type="hidden" name="token" value={token} />
            <SubmitButton>{t("verify")}</SubmitButton>
          </form>
        ) : (
          <Alert tone="error">{t("verifyExpired")}</Alert>
        )}
      </div>
    </div>
  );
}
