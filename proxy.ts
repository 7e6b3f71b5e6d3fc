import { NextResponse } from "next/server";
import { configurationProblem } from "@/lib/env";

// Runs before every request (Next.js 16's middleware). A deployment whose configuration is
// incomplete (on Vercel: DATABASE_URL, the Inngest keys or APP_URL forgotten) answers 503 with
// the variables to fix, on every page and API route, instead of 500s from deep inside; the
// message names variables, never their values. /api/health answers the same, as JSON.
//
// Trailing slashes: next.config.ts turns off Next's own "/path/ → /path" redirect
// (skipTrailingSlashRedirect) so that the NEO Bank gateway of the user's earlier integration can
// POST to /webhooks/neo-payment/ exactly as it is configured, without following a redirect;
// every other path is redirected here as Next would (308, query kept).
const KEEPS_TRAILING_SLASH = new Set(["/webhooks/neo-payment/"]);

export function proxy(req: Request): Response {
  const problem = configurationProblem();
  if (!problem) {
    const url = new URL(req.url);
    if (url.pathname.length > 1 && url.pathname.endsWith("/") && !KEEPS_TRAILING_SLASH.has(url.pathname)) {
      url.pathname = url.pathname.replace(/\/+$/, "") || "/";
      return NextResponse.redirect(url, 308);
    }
    return NextResponse.next();
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

export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"] };
