import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

// An admin action's outcome travels to the next page in the URL (the button that ran it is
// gone). Signing it with the app's secret means only Satchel can put words in that green
// box: a crafted link cannot show an admin a fake "success" message. The signature covers the
// page it was issued for and an expiry, so a notice seen once cannot be replayed on another
// page ("Refunded" shown on a checkout that was not) or days later from a shared link.

/** How long a notice stays valid after the action (ms): enough for the redirect and a reload. */
export const NOTICE_TTL_MS = 10 * 60 * 1000;

const sign = (path: string, exp: string, text: string) =>
  createHmac("sha256", env().AUTH_SECRET).update(`admin-notice\n${path}\n${exp}\n${text}`).digest("base64url");

/** The query string for `path` carrying `message`, valid for NOTICE_TTL_MS. */
export function noticeQuery(message: string, path: string, now = Date.now()): string {
  const text = message.slice(0, 300);
  const exp = String(Math.floor((now + NOTICE_TTL_MS) / 1000));
  return new URLSearchParams({ notice: text, exp, sig: sign(path, exp, text) }).toString();
}

/** The notice if we signed it for this page and it has not expired, else null. */
export function verifiedNotice(params: Record<string, string | string[] | undefined>, path: string, now = Date.now()): string | null {
  const { notice, exp, sig } = params;
  if (typeof notice !== "string" || typeof sig !== "string" || typeof exp !== "string" || notice.length > 300) return null;
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 < now) return null;
  const want = Buffer.from(sign(path, exp, notice));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? notice : null;
}
