import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { card, textLink } from "@/components/ui";
import { sessionUser } from "@/lib/auth";
import { safeCallbackUrl } from "../sign-in/callback-url";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Create account" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await sessionUser()) redirect(callbackUrl);
  const signInHref = params.callbackUrl ? `/sign-in?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/sign-in";

  return (
    <div className="mx-auto w-full max-w-md">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">Create your account</h1>
      <p className="mt-2 text-slate-600">An account keeps your credits and your payment history in one place.</p>

      <div className={`${card} mt-8 p-6 sm:p-8`}>
        <SignUpForm callbackUrl={callbackUrl} />
      </div>

      <p className="mt-6 text-center text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={signInHref} className={textLink}>
          Sign in
        </Link>
      </p>
    </div>
  );
}
