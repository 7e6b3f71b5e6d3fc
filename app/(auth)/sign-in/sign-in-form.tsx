"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { buttonSecondary, textLink } from "@/components/ui";
import { type SignInState, signInWithEmailLink, signInWithPassword } from "./actions";

export function SignInForm({ callbackUrl, emailLink, initialError }: { callbackUrl: string; emailLink: boolean; initialError?: string }) {
  const t = useTranslations("auth.signIn");
  const [state, action] = useActionState<SignInState, FormData>(signInWithPassword, { error: initialError });
  return (
    // noValidate: the server's messages are clearer and announced; the browser's bubbles are not.
    <form action={action} noValidate className="space-y-5">
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormField name="email" label={t("email")} type="email" autoComplete="email" inputMode="email" required defaultValue={state.email ?? ""} />
      <FormField name="password" label={t("password")} type="password" autoComplete="current-password" />
      <p className="-mt-2 text-right text-sm">
        <Link href="/forgot-password" className={textLink}>
          {t("forgot")}
        </Link>
      </p>
      <SubmitButton className="w-full">{t("submit")}</SubmitButton>
      {emailLink && (
        <button type="submit" formAction={signInWithEmailLink} formNoValidate className={`${buttonSecondary} w-full`}>
          {t("emailLink")}
        </button>
      )}
    </form>
  );
}
