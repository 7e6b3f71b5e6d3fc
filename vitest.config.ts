import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));

// Unit and integration tests against a real PostgreSQL (see test/global-setup.ts).
export default defineConfig({
  resolve: {
    alias: [
      // lib/ modules import "server-only"; its real entry throws outside a Next.js server build.
      { find: /^server-only$/, replacement: path.join(root, "test/empty.ts") },
      { find: /^@\//, replacement: `${root}/` },
    ],
  },
  test: {
    environment: "node",
    // app/ too: route and page helpers keep their unit tests beside them.
    include: ["lib/**/*.test.ts", "test/**/*.test.ts", "app/**/*.test.ts", "inngest/**/*.test.ts", "scripts/**/*.test.ts", "components/**/*.test.ts"],
    exclude: ["e2e/**", "node_modules/**", ".next/**", ".data/**"],
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // next-auth imports "next/server" without an extension, which Node's ESM loader rejects;
    // letting vite transform it resolves the import the way Next.js does.
    server: { deps: { inline: ["next-auth", "@auth/core", "@auth/prisma-adapter"] } },
  },
});
