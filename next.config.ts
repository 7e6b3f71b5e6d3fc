import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const nextConfig: NextConfig = {
  // The embedded database (PGlite, wasm) and the native password hasher must load from
  // node_modules at run time; bundling PGlite breaks its file URLs. The Open Payments client
  // reads its OpenAPI specs from files beside its own code (__dirname) to validate responses.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@node-rs/argon2", "pino", "@interledger/open-payments"],
  poweredByHeader: false,
  typedRoutes: false,
};

// next-intl without locale routing: i18n/request.ts picks the locale per request.
export default createNextIntlPlugin("./i18n/request.ts")(nextConfig);
