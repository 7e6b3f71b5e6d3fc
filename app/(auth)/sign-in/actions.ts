"use server";

import { redirect } from "next/navigation";
import { AuthError, CredentialsSignin } from "next-auth";
import { getTranslations } from "next-intl/server";
import { signIn } from "@/lib/auth";
import { safeCallbackUrl } from "./callback-url";

export interface SignInState {
  error?: string;
  email?: string;
}

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Email + password. On success signIn() throws Next's redirect, which must propagate. */
export async function signInWithPassword(_prev: SignInState, form: FormData): Promise<SignInState> {
  const t = await getTranslations("auth.signIn.errors");
  const email = field(form, "email").trim();
  const password = field(form, "password");
  if (!email || !password) return { error: t("missing"), email };
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
  } catch (err) {
    // Only Auth.js failures become messages; the redirect (and anything unexpected) goes on.
    if (err instanceof AuthError) {
      const throttled = err instanceof CredentialsSignin ? /^throttled:(\d+)$/.exec(err.code) : null;
      if (throttled) return { error: t("throttled", { minutes: Number(throttled[1]) }), email };
      return { error: err.type === "CredentialsSignin" ? t("CredentialsSignin") : t("failed"), email };
    }
    throw err;
  }
  return { email };
}

/**
 * Sends a magic link (only offered when SMTP is configured). It is a plain form action, so
 * problems come back as ?error= on the sign-in page, the same way Auth.js reports them.
 */
export async function signInWithEmailLink(form: FormData): Promise<void> {
  const email = field(form, "email").trim();
  const callbackUrl = safeCallbackUrl(form.get("callbackUrl"));
  const back = (error: string) => `/sign-in?${new URLSearchParams({ error, callbackUrl })}`;
  if (!email.includes("@")) redirect(back("EmailRequired"));
  try {
    await signIn("nodemailer", { email, redirectTo: callbackUrl });
  } catch (err) {
    if (err instanceof AuthError) redirect(back("EmailSignin"));
    throw err;
  }
}

export async function signInWithGitHub(form: FormData): Promise<void> {
  // A server action is a public endpoint: a crafted call may pass anything, not a form.
  await signIn("github", { redirectTo: safeCallbackUrl(form instanceof FormData ? form.get("callbackUrl") : null) });
}
