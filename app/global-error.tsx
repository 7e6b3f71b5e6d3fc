"use client";

import "./globals.css";

// Last-resort boundary for errors in the root layout itself (the header reads the session,
// so a database outage lands here). It replaces the whole document, so it brings html/body.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="flex min-h-dvh items-center justify-center px-4">
        <main role="alert" className="max-w-md text-center">
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">Satchel is having trouble</h1>
          <p className="mt-3 text-slate-600">
            We could not load this page. Please try again in a moment.
            {error.digest && (
              <>
                {" "}
                Reference: <code className="font-mono">{error.digest}</code>
              </>
            )}
          </p>
          <button type="button" onClick={reset} className="mt-8 rounded-lg bg-brand-700 px-4 py-2.5 text-sm font-semibold text-white hover:bg-brand-800">
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
