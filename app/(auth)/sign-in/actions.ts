"use server";

import { AuthError } from "next-auth";
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
  const email = field(form, "email").trim();
  const password = field(form, "password");
  if (!email || !password) return { error: "Enter your email and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
  } catch (err) {
    // Only Auth.js failures become messages; the redirect (and anything unexpected) goes on.
    if (err instanceof AuthError)
      return {
        error: err.type === "CredentialsSignin" ? "Wrong email or password." : "Sign-in failed. Please try again.",
        email,
      };
    throw err;
  }
  return { email };
}

/** Sends a magic link (only offered when SMTP is configured). */
export async function signInWithEmailLink(form: FormData): Promise<void> {
  const email = field(form, "email").trim();
  await signIn("nodemailer", { email, redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
}

export async function signInWithGitHub(form: FormData): Promise<void> {
  await signIn("github", { redirectTo: safeCallbackUrl(form.get("callbackUrl")) });
}
