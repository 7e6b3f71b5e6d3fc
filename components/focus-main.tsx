"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

/**
 * After a client-side page change, focus moves to the new page's heading (or the main
 * landmark), so keyboard and screen-reader users start at the new content instead of
 * wherever the old page left them. The first render (a full page load) leaves focus alone.
 */
export function FocusMain() {
  const pathname = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (pathname === undefined) return;
    const main = document.getElementById("main");
    const h1 = main?.querySelector<HTMLElement>("h1");
    const target = h1 ?? main;
    if (!target) return;
    if (h1 && !h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }, [pathname]);
  return null;
}
