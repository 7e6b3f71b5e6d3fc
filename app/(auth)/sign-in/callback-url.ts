// Where to send someone after they sign in. Only same-site relative paths are accepted:
// an absolute URL ("https://evil.example"), a protocol-relative one ("//evil.example") or a
// backslash trick ("/\evil.example", which browsers read as "//") would make sign-in an
// open redirect that phishing pages could borrow our domain for.

const BASE = "http://satchel.invalid";

export const DEFAULT_AFTER_SIGN_IN = "/account";

/** A same-site relative path (with its query and hash), or `fallback` for anything else. */
export function sameSitePath(raw: unknown, fallback: string): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2000) return fallback;
  if (!raw.startsWith("/") || raw.startsWith("//")) return fallback;
  // Backslashes and control characters (tabs, newlines) are normalised away by browsers and
  // can turn "/\t/evil" into "//evil": refuse them outright.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

export function safeCallbackUrl(raw: unknown, fallback: string = DEFAULT_AFTER_SIGN_IN): string {
  const path = sameSitePath(raw, fallback);
  if (path === fallback) return fallback;
  const url = new URL(path, BASE);
  // Sending a freshly signed-in user back to the sign-in or sign-up page would look broken.
  if (url.pathname === "/sign-in" || url.pathname === "/sign-up") return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
