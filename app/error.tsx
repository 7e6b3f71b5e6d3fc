"use client";

import Link from "next/link";
import { useEffect } from "react";
import { buttonPrimary, buttonSecondary } from "@/components/ui";

// Shown when a page throws. It never shows the error's message (it may carry internals);
// the digest lets an operator find the full error in the server log.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <div role="alert" className="mx-auto max-w-md py-10 text-center">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl">Something went wrong</h1>
      <p className="mt-3 text-slate-600">
        We could not load this page. Please try again; if it keeps happening, contact the site operator and quote the reference below.
      </p>
      {error.digest && (
        <p className="mt-3 text-sm text-slate-500">
          Reference: <code className="font-mono">{error.digest}</code>
        </p>
      )}
      <div className="mt-8 flex justify-center gap-3">
        <button type="button" onClick={reset} className={buttonPrimary}>
          Try again
        </button>
        <Link href="/" className={buttonSecondary}>
          Back to packages
        </Link>
      </div>
    </div>
  );
}
