"use server";

import { cookies } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";
import { signUpAccount } from "@/lib/account/verify-email";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";
import { log } from "@/lib/log";

export type SignUpField = "name" | "email" | "password";

export interface SignUpState {
  /** Messages per field, shown under each input. */
  fieldErrors?: Partial<Record<SignUpField, string[]>>;
  /** A message about the whole form. */
  error?: string;
  /** What the person typed, so a failed attempt keeps it (never the password). */
  values?: { name: string; email: string };
  /** Set once the form went through: the same answer whether or not the address had an account. */
  sentTo?: string;
}

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** A validation message from lib/auth in the visitor's language (the English text is the key's fallback). */
const KNOWN: Record<string, string> = {
  "Enter a valid email address.": "invalidEmail",
  "Use at least 10 characters.": "passwordShort",
  "Use at most 200 characters.": "tooLong",
  "Use at most 100 characters.": "tooLong",
  "That email address is too long.": "tooLong",
};

// Sign-up does not sign in: signing in straight away for a new address, and not for a taken
// one, would tell anyone which addresses have accounts. Both get "check your email".
export async function signUp(_prev: SignUpState, form: FormData): Promise<SignUpState> {
  const t = await getTranslations("auth.signUp.errors");
  const values = { name: field(form, "name"), email: field(form, "email") };
  const password = field(form, "password");
  // The language the visitor chose (or their browser's) becomes the account's, for its emails.
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  const locale = isLocale(chosen) ? chosen : ((await getLocale()) as "en" | "sw");
  try {
    const r = await signUpAccount({ name: values.name, email: values.email, password }, locale);
    if (!r.ok) {
      const fieldErrors = Object.fromEntries(Object.entries(r.fieldErrors).map(([k, list]) => [k, list.map((m) => (KNOWN[m] ? t(KNOWN[m]) : m))]));
      return { fieldErrors: fieldErrors as SignUpState["fieldErrors"], error: t("check"), values };
    }
  } catch (err) {
    log.error({ err }, "sign-up failed");
    return { error: t("generic"), values };
  }
  return { sentTo: values.email.trim().toLowerCase(), values };
}
