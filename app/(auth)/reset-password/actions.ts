"use server";

import { redirect } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import type { AccountFormState } from "@/components/account/account-form";
import { requestPasswordReset, resetPassword } from "@/lib/account/password-reset";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";

const str = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");

/** "Forgot password": the same answer whether or not the address has an account. */
export async function requestResetAction(_prev: AccountFormState, form: FormData): Promise<AccountFormState> {
  const t = await getTranslations("reset");
  try {
    await requestPasswordReset(str(form, "email"), await getLocale());
  } catch (err) {
    if (isAppError(err) && err.code === "validation_failed") return { fieldErrors: { email: [t("invalidEmail")] }, at: Date.now() };
    log.error({ err }, "password reset request failed");
    return { message: t("failed"), at: Date.now() };
  }
  return { ok: true, message: t("sent"), at: Date.now() };
}

export async function resetPasswordAction(_prev: AccountFormState, form: FormData): Promise<AccountFormState> {
  const t = await getTranslations("reset");
  try {
    await resetPassword(str(form, "token"), str(form, "password"));
  } catch (err) {
    if (isAppError(err) && err.code === "validation_failed") {
      const fields = (err.details ?? {}) as Record<string, string[]>;
      if (fields.token) return { message: t("expired"), at: Date.now() };
      return { fieldErrors: { password: [t("passwordShort")] }, at: Date.now() };
    }
    log.error({ err }, "password reset failed");
    return { message: t("failed"), at: Date.now() };
  }
  redirect("/sign-in?reset=done");
}
