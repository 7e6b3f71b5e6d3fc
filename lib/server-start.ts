import "server-only";
import { databaseReady } from "@/lib/db/client";
import { seed } from "@/lib/db/seed";
import { ConfigError, env } from "@/lib/env";
import { log } from "@/lib/log";

export async function startServer(): Promise<void> {
  let e;
  try {
    e = env();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`\nSatchel cannot start.\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (!e.embedded) {
    log.info("database: PostgreSQL (DATABASE_URL); run `npm run db:migrate` after each upgrade");
    return;
  }
  await databaseReady();
  const { demoLogins } = await seed();
  const lines = demoLogins.map((l) => `  ${l.role.padEnd(5)}  ${l.email}  /  ${l.password}`);
  console.log(
    [
      "",
      `Satchel is running on the embedded database (${e.SATCHEL_DATA_DIR}/pglite) at ${e.APP_URL}`,
      "Demo logins (local only; stored in the data folder):",
      ...lines,
      "",
    ].join("\n"),
  );
}
