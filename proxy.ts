import { NextResponse } from "next/server";
import { configurationProblem } from "@/lib/env";
import { contentSecurityPolicy, cspNonce } from "@/lib/net/security-headers";

// Runs before every request (Next.js 16's middleware). A deployment whose configuration is
// incomplete (on Vercel: DATABASE_URL, the Inngest keys or APP_URL forgotten) answers 503 with
// the variables to fix, on every page and API route, instead of 500s from deep inside; the
// message names variables, never their values. /api/health answers the same, as JSON.
//
// Trailing slashes: next.config.ts turns off Next's own "/path/ → /path" redirect
// (skipTrailingSlashRedirect) so that the NEO Bank gateway of the user's earlier integration can
// POST to /webhooks/neo-payment/ exactly as it is configured, without following a redirect;
// every other path is redirected here as Next would (308, query kept).
//
// Every page gets a Content-Security-Policy with a fresh script nonce (Next reads it from the
// request's CSP header and puts it on its own scripts; every page renders per request).
const KEEPS_TRAILING_SLASH = new Set(["/webhooks/neo-payment/"]);

export function proxy(req: Request): Response {
  const problem = configurationProblem();
  if (!problem) {
    const url = new URL(req.url);
    if (url.pathname.length > 1 && url.pathname.endsWith("/") && !KEEPS_TRAILING_SLASH.has(url.pathname)) {
      url.pathname = url.pathname.replace(/\/+$/, "") || "/";
      return NextResponse.redirect(url, 308);
    }
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/webhooks/")) return NextResponse.next();
    return withNonce(req);
  }
  const headers = { "Retry-After": "60", "Cache-Control": "no-store" };
  if (new URL(req.url).pathname.startsWith("/api/")) {
    const body = { status: "misconfigured", error: { code: "misconfigured", message: problem.message }, problems: problem.issues };
    return NextResponse.json(body, { status: 503, headers });
  }
  return new NextResponse(`Satchel is not configured yet.\n\n${problem.message}\n`, {
    status: 503,
    headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" },
  });
}

function withNonce(req: Request): Response {
  const csp = contentSecurityPolicy(cspNonce(), process.env.NODE_ENV === "production");
  const request = new Headers(req.headers);
  request.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers: request } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"] };
