"use client";

import Link from "next/link";
import { useEffect } from "react";
import { buttonPrimary, buttonSecondary } from "@/components/ui";

// Shown when a page throws. It never shows the error's message (it may carry internals);
// the digest lets an operator find the full error in the server log.
// The root layout ships no client messages (page weight), so this boundary carries its few
// words in both languages and picks by the document's lang.
const TEXT = {
  en: {
    title: "Something went wrong",
    body: "We could not load this page. Please try again; if it keeps happening, contact the site operator and quote the reference below.",
    reference: "Reference:",
    retry: "Try again",
    back: "Back to packages",
  },
  sw: {
    title: "Kuna hitilafu",
    body: "Hatukuweza kupakia ukurasa huu. Tafadhali jaribu tena; ikiendelea, wasiliana na mhudumu wa tovuti ukitaja kumbukumbu iliyo hapa chini.",
    reference: "Kumbukumbu:",
    retry: "Jaribu tena",
    back: "Rudi kwenye vifurushi",
  },
};

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const t = typeof document !== "undefined" && document.documentElement.lang === "sw" ? TEXT.sw : TEXT.en;

  return (
    <div role="alert" className="mx-auto max-w-md py-10 text-center">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900 sm:text-3xl dark:text-white">{t.title}</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-300">{t.body}</p>
      {error.digest && (
        <p className="mt-3 text-sm text-slate-500">
          {t.reference} <code className="font-mono">{error.digest}</code>
        </p>
      )}
      <div className="mt-8 flex justify-center gap-3">
        <button type="button" onClick={reset} className={buttonPrimary}>
          {t.retry}
        </button>
        <Link href="/" className={buttonSecondary}>
          {t.back}
        </Link>
      </div>
    </div>
  );
}
