// `npm run db:seed`: creates the default credit packages (never overwriting an admin's
// edits) and, on the embedded database or with DEMO_USERS=1, the demo admin and buyer whose
// random passwords are kept in $SATCHEL_DATA_DIR/demo-logins.json. Migrate first.
// Runs under tsx with --conditions=react-server so lib/'s `import "server-only"` resolves.

// First: the .env files, before any module reads process.env.
import "./load-env";
import { EmbeddedDatabaseBusyError } from "@/lib/db/embedded-lock";
import { ConfigError } from "@/lib/env";

async function main(): Promise<number> {
  if (process.env.DATABASE_URL?.trim() && !process.env.AUTH_SECRET?.trim()) {
    console.error(
      "db:seed needs AUTH_SECRET when DATABASE_URL is set (the app refuses to start without it, and the seed reads the same settings).\n" +
        "Set it, e.g.  AUTH_SECRET=$(openssl rand -base64 32) npm run db:seed",
    );
    return 1;
  }
  const { env } = await import("@/lib/env");
  const { closeDatabase } = await import("@/lib/db/client");
  const { seed } = await import("@/lib/seed");
  try {
    const e = env();
    const result = await seed();
    console.log(`Database: ${e.embedded ? `embedded PGlite database in ${e.SATCHEL_DATA_DIR}/pglite` : "PostgreSQL (DATABASE_URL)"}`);
    console.log(`Credit packages: ${result.packagesCreated} created${result.packagesCreated === 0 ? " (all present already)" : ""}.`);
    if (result.demoLogins.length) {
      console.log(`Demo logins (stored in ${e.SATCHEL_DATA_DIR}/demo-logins.json):`);
      for (const l of result.demoLogins) console.log(`  ${l.role.padEnd(5)}  ${l.email}  /  ${l.password}`);
    } else console.log("Demo users: none (set DEMO_USERS=1 to create them on PostgreSQL).");
    return 0;
  } finally {
    await closeDatabase().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`db:seed: ${err.message}`);
    else if (err instanceof EmbeddedDatabaseBusyError) console.error(`db:seed failed: ${err.message}`);
    else {
      const e = err as { message?: string; code?: string };
      let hint = "";
      if (/Database `[^`]*` does not exist/.test(e.message ?? "")) hint = "\nCreate that database first (createdb), then run `npm run db:migrate`.";
      else if (e.code === "P2021" || /does not exist/.test(e.message ?? "")) hint = "\nHas the database been migrated? Run `npm run db:migrate` first.";
      console.error(`db:seed failed: ${e.message ?? String(err)}${hint}`);
    }
    process.exit(1);
  },
);
