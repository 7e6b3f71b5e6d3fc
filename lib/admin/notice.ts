import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

// An admin action's outcome travels to the next page in the URL (the button that ran it is
// gone). Signing it with the app's secret means only Satchel can put words in that green
// box: a crafted link cannot show an admin a fake "success" message.

const sign = (text: string) => createHmac("sha256", env().AUTH_SECRET).update(`admin-notice:${text}`).digest("base64url");

export function noticeQuery(message: string): string {
  const text = message.slice(0, 300);
  return new URLSearchParams({ notice: text, sig: sign(text) }).toString();
}

/** The notice if its signature is ours, else null. */
export function verifiedNotice(params: Record<string, string | string[] | undefined>): string | null {
  const { notice, sig } = params;
  if (typeof notice !== "string" || typeof sig !== "string" || notice.length > 300) return null;
  const want = Buffer.from(sign(notice));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? notice : null;
}
