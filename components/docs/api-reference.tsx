"use client";

import { useEffect, useRef, useState } from "react";

// Renders the OpenAPI document with Redoc, loaded from our own origin (/docs/api/redoc.js) once
// the page is interactive, so the rest of the site never carries its 2 MB. Its telemetry is off
// (the CSP's connect-src 'self' would block it anyway).
export function ApiReference({ specUrl, scriptUrl }: { specUrl: string; scriptUrl: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let root: { unmount(): void } | undefined;
    let cancelled = false;
    import(/* webpackIgnore: true */ /* turbopackIgnore: true */ scriptUrl)
      .then((redoc: { init(spec: string, options: object, element: HTMLElement): { unmount(): void } }) => {
        if (cancelled || !el.current) return;
        root = redoc.init(specUrl, { disableTelemetry: true }, el.current);
      })
      .catch(() => setFailed(true));
    return () => {
      cancelled = true;
      root?.unmount();
    };
  }, [specUrl, scriptUrl]);
  return (
    <>
      {failed && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          The API reference could not load. The raw document is at <a href={specUrl}>{specUrl}</a>.
        </p>
      )}
      <div ref={el} className="overflow-hidden rounded-xl bg-white" />
    </>
  );
}
