import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
import { securityHeaders } from "./lib/net/security-headers";

const nextConfig: NextConfig = {
  // The embedded database (PGlite, wasm) and the native password hasher must load from
  // node_modules at run time; bundling PGlite breaks its file URLs. The Open Payments client
  // reads its OpenAPI specs from files beside its own code (__dirname) to validate responses.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "pino", "@interledger/open-payments", "prom-client"],
  // The QR route loads React, react-dom/server and qrcode.react through Node's resolver
  // (components/checkout/qr-svg.ts), which the file tracer cannot see.
  outputFileTracingIncludes: {
    "/api/checkouts/[id]/qr": ["./node_modules/react/**", "./node_modules/react-dom/**", "./node_modules/scheduler/**", "./node_modules/qrcode.react/**"],
    // The API reference's renderer, read from @redocly/cli at run time (app/docs/api/redoc.js).
    "/docs/api/redoc.js": ["./node_modules/@redocly/cli/lib/chunks/redoc.standalone.js"],
  },
  // The rails' local sandboxes and the regtest chain simulator are our own code, so nothing
  // but the bundler can keep them out of a function. Production code reaches them only through
  // lib/rails/<rail>/sandbox-gate.ts, `SATCHEL_SANDBOXES === "0" ? null : import("./sandbox")`:
  // in a build for Vercel (VERCEL=1, where the sandboxes are refused) that condition is the
  // constant "0", and the sandboxes' code is in no serverless function (check:vercel looks).
  // Any other build (`npm run build` + `next start`, the embedded default) carries them.
  compiler: { defineServer: { "process.env.SATCHEL_SANDBOXES": process.env.VERCEL === "1" ? "0" : "1" } },
  poweredByHeader: false,
  // proxy.ts redirects "/path/" → "/path" itself, except /webhooks/neo-payment/ (the NEO Bank
  // gateway of the user's earlier integration posts there, trailing slash included).
  skipTrailingSlashRedirect: true,
  // Every response: no framing, nosniff, a short referrer, HSTS in production (issue 11).
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders(process.env.NODE_ENV === "production") }];
  },
  typedRoutes: false,
};

// next-intl without locale routing: i18n/request.ts picks the locale per request. Messages are
// precompiled at build time, so the browser gets no ICU parser (about 9 kB less JavaScript on
// every page that formats messages: the checkout's budget needs it).
export default createNextIntlPlugin({
  requestConfig: "./i18n/request.ts",
  experimental: { messages: { path: "./lib/i18n/messages", format: "json", locales: ["en", "sw"], precompile: true } },
})(nextConfig);
