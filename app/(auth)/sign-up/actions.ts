"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/lib/auth";
import { registerUser } from "@/lib/auth/users";
import { isAppError } from "@/lib/errors";
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

export async function signUp(_prev: SignUpState, form: FormData): Promise<SignUpState> {
  const values = { name: field(form, "name"), email: field(form, "email") };
  const password = field(form, "password");
  let email: string;
  try {
    ({ email } = await registerUser({ name: values.name, email: values.email, password }));
  } catch (err) {
    if (isAppError(err) && err.code === "validation_failed")
      return { fieldErrors: (err.details ?? {}) as SignUpState["fieldErrors"], error: err.message, values };
    log.error({ err }, "sign-up failed");
    return { error: "We could not create your account just now. Please try again.", values };
  }

  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
  } catch (err) {
    // The account exists; only the automatic sign-in failed. Say so rather than hide it.
    if (err instanceof AuthError) return { error: "Your account was created, but we could not sign you in. Please sign in.", values };
    throw err; // Next's redirect on success
  }
  return { values };
}
