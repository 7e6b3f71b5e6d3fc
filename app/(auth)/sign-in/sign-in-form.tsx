"use client";

import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { buttonSecondary } from "@/components/ui";
import { type SignInState, signInWithEmailLink, signInWithPassword } from "./actions";

export function SignInForm({ callbackUrl, emailLink, initialError }: { callbackUrl: string; emailLink: boolean; initialError?: string }) {
  const [state, action] = useActionState<SignInState, FormData>(signInWithPassword, { error: initialError });
  return (
    // noValidate: the server's messages are clearer and announced; the browser's bubbles are not.
    <form action={action} noValidate className="space-y-5">
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormField name="email" label="Email" type="email" autoComplete="email" inputMode="email" required defaultValue={state.email ?? ""} />
      <FormField name="password" label="Password" type="password" autoComplete="current-password" />
      <SubmitButton className="w-full">Sign in</SubmitButton>
      {emailLink && (
        <button type="submit" formAction={signInWithEmailLink} formNoValidate className={`${buttonSecondary} w-full`}>
          Email me a sign-in link instead
        </button>
      )}
    </form>
  );
}
