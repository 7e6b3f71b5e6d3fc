// Page weight: the JavaScript a browser downloads to show a page, measured the way a browser
// gets it. Fetch the server-rendered HTML, collect every external script the page loads
// (<script src> and <link rel="preload"|"modulepreload" as="script">; not the noModule
// polyfills, which modern browsers never download), fetch each once and
// gzip it (level 6, what servers and CDNs typically send). Inline scripts (the RSC payload)
// are reported beside it: they are part of the HTML, not of the JS bundle.
import { gzipSync } from "node:zlib";

export interface PageWeight {
  path: string;
  scripts: number;
  /** Sum of the external scripts, gzipped. */
  gzipBytes: number;
  rawBytes: number;
  /** The inline <script> elements (RSC payload), gzipped together. */
  inlineGzipBytes: number;
}

const SCRIPT_SRC = /<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g;
const PRELOAD = /<link\b[^>]*\brel="(?:preload|modulepreload)"[^>]*>/g;
const INLINE = /<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

function scriptUrls(html: string): string[] {
  const urls = new Set<string>();
  for (const m of html.matchAll(SCRIPT_SRC)) {
    // noModule scripts (legacy polyfills) are skipped by every browser that runs modules.
    if (/\bnomodule\b/i.test(m[0])) continue;
    urls.add(m[1]!.replaceAll("&amp;", "&"));
  }
  for (const m of html.matchAll(PRELOAD)) {
    const tag = m[0];
    if (!/\bas="script"/.test(tag)) continue;
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href) urls.add(href.replaceAll("&amp;", "&"));
  }
  return [...urls];
}

/** Measures one page as a signed-in (cookie) or anonymous browser would load it. */
export async function pageWeight(base: string, path: string, cookie?: string, status = 200): Promise<PageWeight> {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  const res = await fetch(new URL(path, base), { headers, redirect: "manual" });
  if (res.status !== status) throw new Error(`page weight: GET ${path} answered ${res.status}`);
  const html = await res.text();
  let raw = 0;
  let gz = 0;
  const urls = scriptUrls(html);
  for (const u of urls) {
    const r = await fetch(new URL(u, base), { headers });
    if (!r.ok) throw new Error(`page weight: GET ${u} answered ${r.status}`);
    const bytes = Buffer.from(await r.arrayBuffer());
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 6 }).length;
  }
  const inline = [...html.matchAll(INLINE)].map((m) => m[1] ?? "").join("\n");
  return { path, scripts: urls.length, gzipBytes: gz, rawBytes: raw, inlineGzipBytes: gzipSync(Buffer.from(inline), { level: 6 }).length };
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

export function formatWeight(label: string, w: PageWeight, budgetBytes?: number): string {
  const budget = budgetBytes === undefined ? "" : `  budget ${kB(budgetBytes)} ${w.gzipBytes <= budgetBytes ? "ok" : "OVER"}`;
  return `${label.padEnd(22)} ${kB(w.gzipBytes).padStart(9)} gzipped JS (${w.scripts} scripts, ${kB(w.rawBytes)} raw) + ${kB(w.inlineGzipBytes)} inline payload${budget}`;
}
