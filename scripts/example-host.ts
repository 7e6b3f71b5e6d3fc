// `npm run example:host`: starts examples/host-app against a running Satchel.
//   SATCHEL_URL      Satchel's address (default APP_URL, else http://localhost:3000)
//   SATCHEL_API_KEY  an API key; unset, one is created in Satchel's database (audited as made on
//                    the command line) — possible with DATABASE_URL at any time; on the embedded
//                    database only while Satchel is stopped (PGlite allows one process), so there
//                    run `npm run api-key -- --name "Example host app"` first, or create a key on
//                    /admin/developers, and pass it in.
//   EXAMPLE_HOST_PORT  the example's port (default 3100)
// The example registers its own webhook endpoint with that key unless SATCHEL_WEBHOOK_SECRET is given.
// Runs under tsx with --conditions=react-server so lib/'s `import "server-only"` resolves.

import "./load-env";
import { spawn } from "node:child_process";
import path from "node:path";

async function apiKey(): Promise<string> {
  const given = process.env.SATCHEL_API_KEY?.trim();
  if (given) return given;
  const { createApiKeyByOperator } = await import("@/lib/admin/developers");
  const { closeDatabase } = await import("@/lib/db/client");
  const { EmbeddedDatabaseBusyError } = await import("@/lib/db/embedded-lock");
  const started = Date.now();
  try {
    for (;;) {
      try {
        const key = await createApiKeyByOperator(
          { name: "Example host app", scopes: ["read", "checkouts:write", "credits:write", "webhooks:write"] },
          "created by npm run example:host",
        );
        console.log(`Created API key ${key.prefix} for the example host app.`);
        return key.secret;
      } catch (err) {
        if (err instanceof EmbeddedDatabaseBusyError) {
          throw new Error(
            `${err.message}\nSatchel runs on the embedded database: create a key on /admin/developers (or stop Satchel and run \`npm run api-key -- --name "Example host app"\`), then SATCHEL_API_KEY=sk_… npm run example:host`,
          );
        }
        // A database still being migrated (e2e starts both servers at once): wait up to 2 minutes.
        if (Date.now() - started > 120_000) throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } finally {
    await closeDatabase().catch(() => {});
  }
}

async function main(): Promise<void> {
  const key = await apiKey();
  const port = process.env.EXAMPLE_HOST_PORT ?? "3100";
  const dir = path.join(import.meta.dirname, "..", "examples", "host-app");
  const child = spawn(process.execPath, [path.join(import.meta.dirname, "..", "node_modules", "tsx", "dist", "cli.mjs"), "src/server.ts"], {
    cwd: dir,
    stdio: "inherit",
    env: {
      ...process.env,
      SATCHEL_URL: process.env.SATCHEL_URL ?? process.env.APP_URL ?? "http://localhost:3000",
      SATCHEL_API_KEY: key,
      PORT: port,
      HOST_APP_URL: process.env.HOST_APP_URL ?? `http://localhost:${port}`,
    },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 1));
}

main().catch((err: unknown) => {
  console.error(`example:host: ${(err as Error).message}`);
  process.exit(1);
});
