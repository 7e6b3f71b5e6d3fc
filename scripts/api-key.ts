// `npm run api-key -- --name "My app" [--scopes read,credits:write] [--per-minute 600]`: creates
// an API key for a host application without the admin page and prints it (once) on stdout.
// Audited as made on the command line. On the embedded database, run it while Satchel is
// stopped (PGlite allows one process); with DATABASE_URL, any time.
// Runs under tsx with --conditions=react-server so lib/'s `import "server-only"` resolves.

import "./load-env";
import { parseArgs } from "node:util";
import { EmbeddedDatabaseBusyError } from "@/lib/db/embedded-lock";

const { values } = parseArgs({
  options: {
    name: { type: "string" },
    scopes: { type: "string", default: "read,checkouts:write,credits:write,webhooks:write" },
    "per-minute": { type: "string", default: "600" },
  },
});

async function main(): Promise<number> {
  if (!values.name) {
    console.error('Usage: npm run api-key -- --name "My app" [--scopes read,checkouts:write,credits:write,webhooks:write] [--per-minute 600]');
    return 2;
  }
  const { createApiKeyByOperator } = await import("@/lib/admin/developers");
  const { closeDatabase } = await import("@/lib/db/client");
  try {
    const key = await createApiKeyByOperator(
      { name: values.name, scopes: values.scopes.split(",").map((s) => s.trim()) as never, rateLimitPerMinute: values["per-minute"] },
      "created with npm run api-key",
    );
    console.error(`Key ${key.prefix} created (shown only now):`);
    console.log(key.secret);
    return 0;
  } finally {
    await closeDatabase().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`api-key failed: ${err instanceof EmbeddedDatabaseBusyError ? err.message : ((err as Error).message ?? String(err))}`);
    process.exit(1);
  },
);
