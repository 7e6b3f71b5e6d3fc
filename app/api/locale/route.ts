import { sameSitePath } from "@/app/(auth)/sign-in/callback-url";
import { setUserLocale } from "@/lib/account/settings";
import { sessionUser } from "@/lib/auth";
import { env } from "@/lib/env";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";

// POST /api/locale — the language switcher (a plain form): remembers the choice for a year,
// on the account too when signed in (so emails follow it), then goes back where it was (the
// form's `back`, else the Referer). An unknown locale is a 400 and changes nothing; going back
// only ever returns to a path on this site.
export async function POST(req: Request): Promise<Response> {
  const form = await req.formData().catch(() => null);
  const locale = form?.get("locale");
  if (!isLocale(locale)) return Response.json({ error: { code: "validation_failed", message: "Unknown language." } }, { status: 400 });
  const back = sameSitePath(form?.get("back") ?? refererPath(req), "/");
  const user = await sessionUser();
  if (user) await setUserLocale(user.id, locale);
  const headers = new Headers({ location: back });
  headers.append("set-cookie", `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`);
  return new Response(null, { status: 303, headers });
}

/** The path (and query) of the page the form was on, when the Referer is this very site. */
function refererPath(req: Request): string | null {
  const referer = req.headers.get("referer");
  if (!referer) return null;
  try {
    const from = new URL(referer);
    const ours = [new URL(req.url).origin, new URL(env().APP_URL).origin];
    return ours.includes(from.origin) ? `${from.pathname}${from.search}` : null;
  } catch {
    return null;
  }
}
