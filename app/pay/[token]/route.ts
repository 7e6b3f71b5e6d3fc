import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { sessionCookie, sessionForToken } from "@/lib/host/sessions";

export const dynamic = "force-dynamic";

// GET /pay/{token} — a host's checkout session link. The token becomes an HttpOnly cookie
// scoped to this one session (it authorises paying and watching that session's checkouts,
// nothing else) and the buyer lands on the hosted page, whose URL no longer carries it.
export async function GET(req: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await sessionForToken(token);
  if (!session) return new NextResponse("This payment link is not valid.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const base = env().APP_URL.replace(/\/$/, "");
  const res = NextResponse.redirect(new URL(`/hosted/${session.id}`, base), 303);
  res.cookies.set(sessionCookie(session.id), token, {
    httpOnly: true,
    sameSite: "lax",
    secure: new URL(req.url).protocol === "https:" || base.startsWith("https:"),
    path: "/",
    expires: session.expiresAt,
  });
  res.headers.set("referrer-policy", "no-referrer");
  return res;
}
