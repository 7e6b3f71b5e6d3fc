"use client";

import { usePathname, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useRef, useState } from "react";

/**
 * Page changes, for everyone: a thin bar at the top while the next page loads (a link to
 * another page of this site was followed), then focus moves to the new page's heading, so
 * keyboard and screen-reader users start at the new content instead of wherever the old page
 * left them. The first render (a full page load) leaves focus alone. (A root loading.tsx would
 * also show progress, but it streams every page with status 200, and unknown ids must be 404s.)
 */
export function FocusMain() {
  return (
    <Suspense fallback={null}>
      <Navigation />
    </Suspense>
  );
}

function Navigation() {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const first = useRef(true);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null;
      if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
      if (a.pathname === location.pathname && a.search === location.search) return;
      setPending(true);
    };
    document.addEventListener("click", onClick);
    return () => document.removeEventListener("click", onClick);
  }, []);

  useEffect(() => {
    setPending(false);
    if (first.current) {
      first.current = false;
      return;
    }
    if (pathname === undefined && search === undefined) return;
    const main = document.getElementById("main");
    const h1 = main?.querySelector<HTMLElement>("h1");
    const target = h1 ?? main;
    if (!target) return;
    if (h1 && !h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }, [pathname, search]);

  return pending ? <div aria-hidden="true" data-testid="page-loading" className="fixed inset-x-0 top-0 z-50 h-1 animate-pulse bg-brand-600" /> : null;
}
