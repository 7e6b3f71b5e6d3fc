"use client";

import { useActionState } from "react";
import { Alert } from "@/components/alert";
import { FormField } from "@/components/form-field";
import { SubmitButton } from "@/components/submit-button";
import { type SignUpState, signUp } from "./actions";

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action] = useActionState<SignUpState, FormData>(signUp, {});
  const errors = state.fieldErrors ?? {};
  return (
    // noValidate: the server's messages are clearer and announced; the browser's bubbles are not.
    <form action={action} noValidate className="space-y-5">
      {state.error && <Alert tone="error">{state.error}</Alert>}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormField name="name" label="Name" optional autoComplete="name" maxLength={100} defaultValue={state.values?.name ?? ""} errors={errors.name} />
      <FormField
        name="email"
        label="Email"
        type="email"
        inputMode="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email ?? ""}
        errors={errors.email}
      />
      <FormField
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 10 characters."
        errors={errors.password}
      />
      <SubmitButton className="w-full">Create account</SubmitButton>
    </form>
  );
}
