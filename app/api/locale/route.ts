import { sameSitePath } from "@/app/(auth)/sign-in/callback-url";
import { setUserLocale } from "@/lib/account/settings";
import { sessionUser } from "@/lib/auth";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/config";

// POST /api/locale — the language switcher (a plain form): remembers the choice for a year,
// on the account too when signed in (so emails follow it), then goes back where it was.
// An unknown locale is a 400 and changes nothing; `back` only ever returns to this site.
export async function POST(req: Request): Promise<Response> {
  const form = await req.formData().catch(() => null);
  const locale = form?.get("locale");
  if (!isLocale(locale)) return Response.json({ error: { code: "validation_failed", message: "Unknown language." } }, { status: 400 });
  const back = sameSitePath(form?.get("back"), "/");
  const user = await sessionUser();
  if (user) await setUserLocale(user.id, locale);
  const headers = new Headers({ location: back });
  headers.append("set-cookie", `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`);
  return new Response(null, { status: 303, headers });
}
