// Security headers on every response (next.config.ts headers()). No page may be framed
// (clickjacking of /admin), browsers must not guess content types, full URLs never leak to
// other sites, and in production browsers stay on https. The policy restricts framing, <base>
// and plugins; it does not restrict scripts (Next's inline bootstrap scripts would need a
// per-request nonce, see the README's Security section).

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
