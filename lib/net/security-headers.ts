// Security headers on every response (next.config.ts headers()). No page may be framed
// (clickjacking of /admin), browsers must not guess content types, full URLs never leak to
// other sites, and in production browsers stay on https. This static policy restricts
// framing, <base> and plugins on every response (API answers, static files); pages get the
// full nonce-based policy below from proxy.ts.

export function securityHeaders(production: boolean): { key: string; value: string }[] {
  const headers = [
    { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  ];
  if (production) headers.push({ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" });
  return headers;
}

/** A fresh, unguessable nonce for one page response (16 random bytes, base64). */
export function cspNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The Content-Security-Policy of a page (set by proxy.ts, which also hands the nonce to Next in
 * the request's own CSP header, so Next puts it on every script it renders). Scripts run only
 * with this response's nonce, and what they load ('strict-dynamic'); no inline handlers, no
 * eval (React's development build needs it, so development allows it). Styles allow inline
 * style attributes: React and the charts render them, and they cannot run code.
 */
export function contentSecurityPolicy(nonce: string, production: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    // data: for icon fonts embedded in stylesheets (Redoc's, on /docs/api).
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
