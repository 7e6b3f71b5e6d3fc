"use server";

import { cookies } from "next/headers";
import { AuthError } from "next-auth";
import { getLocale, getTranslations } from "next-intl/server";
import { setUserLocale } from "@/lib/account/settings";
import { signIn } from "@/lib/auth";
import { registerUser } from "@/lib/auth/users";
import { isAppError } from "@/lib/errors";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";
import { log } from "@/lib/log";
import { safeCallbackUrl } from "../sign-in/callback-url";

export type SignUpField = "name" | "email" | "password";

export interface SignUpState {
  /** Messages per field, shown under each input. */
  fieldErrors?: Partial<Record<SignUpField, string[]>>;
  /** A message about the whole form. */
  error?: string;
  /** What the person typed, so a failed attempt keeps it (never the password). */
  values?: { name: string; email: string };
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
  "An account with this email already exists. Sign in instead.": "taken",
};

export async function signUp(_prev: SignUpState, form: FormData): Promise<SignUpState> {
  const t = await getTranslations("auth.signUp.errors");
  const values = { name: field(form, "name"), email: field(form, "email") };
  const password = field(form, "password");
  let email: string;
  let userId: string;
  try {
    ({ email, id: userId } = await registerUser({ name: values.name, email: values.email, password }));
  } catch (err) {
    if (isAppError(err) && err.code === "validation_failed") {
      const fields = (err.details ?? {}) as Record<string, string[]>;
      const fieldErrors = Object.fromEntries(Object.entries(fields).map(([k, list]) => [k, list.map((m) => (KNOWN[m] ? t(KNOWN[m]) : m))]));
      return { fieldErrors: fieldErrors as SignUpState["fieldErrors"], error: t("check"), values };
    }
    log.error({ err }, "sign-up failed");
    return { error: t("generic"), values };
  }
  // The language the visitor chose (or their browser's) becomes the account's, for its emails.
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  await setUserLocale(userId, isLocale(chosen) ? chosen : ((await getLocale()) as "en" | "sw")).catch((e) =>
    log.warn({ err: e }, "could not store the locale"),
  );

  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
  } catch (err) {
    // The account exists; only the automatic sign-in failed. Say so rather than hide it.
    if (err instanceof AuthError) return { error: t("createdNotSignedIn"), values };
    throw err; // Next's redirect on success
  }
  return { values };
}
