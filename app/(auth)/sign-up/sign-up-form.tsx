"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { textLink } from "@/components/ui";
import { type SignUpState, signUp } from "./actions";

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useTranslations("auth.signUp");
  const [state, action] = useActionState<SignUpState, FormData>(signUp, {});
  const errors = state.fieldErrors ?? {};
  if (state.sentTo)
    return (
      <div className="space-y-5">
        <Alert tone="success">{t("sent", { email: state.sentTo })}</Alert>
        <Link href={`/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}`} className={textLink}>
          {t("signInNow")}
        </Link>
      </div>
    );
  return (
    // noValidate: the server's messages are clearer and announced; the browser's bubbles are not.
    <form action={action} noValidate className="space-y-5">
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormField
        name="name"
        label={t("name")}
        optional
        optionalLabel={t("optional")}
        autoComplete="name"
        maxLength={100}
        defaultValue={state.values?.name ?? ""}
        errors={errors.name}
      />
      <FormField
        name="email"
        label={t("email")}
        type="email"
        inputMode="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email ?? ""}
        errors={errors.email}
      />
      <FormField name="password" label={t("password")} type="password" autoComplete="new-password" required hint={t("passwordHint")} errors={errors.password} />
      <SubmitButton className="w-full">{t("submit")}</SubmitButton>
    </form>
  );
}
