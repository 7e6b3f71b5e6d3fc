"use server";

import { revalidatePath } from "next/cache";
import { getLocale, getTranslations } from "next-intl/server";
import type { AccountFormState } from "@/components/account/account-form";
import { changePassword, requestEmailChange, updateName } from "@/lib/account/settings";
import { sessionUser, signIn } from "@/lib/auth";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";

// Account settings. Each action reads the signed-in user on the server (a server action is a
// public endpoint) and hands the id to lib/account; messages come back in the buyer's language.

const str = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");

/** lib/account's English field messages → this page's message keys. */
const KNOWN: Record<string, string> = {
  "Use at least 10 characters.": "passwordShort",
  "Use at most 200 characters.": "tooLong",
  "Use at most 100 characters.": "tooLong",
  "That is not your current password.": "wrongPassword",
  "Enter a valid email address.": "invalidEmail",
  "That is already your email address.": "sameEmail",
  "Another account uses this address.": "emailTaken",
};

async function run(fn: (userId: string) => Promise<void>, ok: string): Promise<AccountFormState> {
  const t = await getTranslations("settings");
  const user = await sessionUser();
  if (!user) return { message: t("signedOut"), at: Date.now() };
  try {
    await fn(user.id);
  } catch (err) {
    if (isAppError(err) && err.code === "validation_failed") {
      const fields = (err.details ?? {}) as Record<string, string[]>;
      const fieldErrors = Object.fromEntries(Object.entries(fields).map(([k, list]) => [k, list.map((m) => (KNOWN[m] ? t(`errors.${KNOWN[m]}`) : m))]));
      return { fieldErrors, at: Date.now() };
    }
    if (isAppError(err) && err.code === "rate_limited") return { message: t("errors.tooMany"), at: Date.now() };
    log.error({ err }, "account settings action failed");
    return { message: t("errors.generic"), at: Date.now() };
  }
  revalidatePath("/account/settings");
  return { ok: true, message: t(ok), at: Date.now() };
}

export async function nameAction(_prev: AccountFormState, form: FormData): Promise<AccountFormState> {
  return run((id) => updateName(id, str(form, "name")), "nameSaved");
}

export async function passwordAction(_prev: AccountFormState, form: FormData): Promise<AccountFormState> {
  const next = str(form, "password");
  const user = await sessionUser();
  const state = await run((id) => changePassword(id, str(form, "currentPassword"), next), "passwordSaved");
  // changePassword ended every session of the account; this browser signs in again with the new password.
  if (state.ok && user)
    await signIn("credentials", { email: user.email, password: next, redirect: false }).catch((err) =>
      log.warn({ err }, "could not renew the session after a password change"),
    );
  return state;
}

export async function emailAction(_prev: AccountFormState, form: FormData): Promise<AccountFormState> {
  const locale = await getLocale();
  return run((id) => requestEmailChange(id, str(form, "newEmail"), str(form, "currentPassword"), locale), "emailSent");
}
