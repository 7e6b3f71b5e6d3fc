// Migrates and seeds the e2e database (DATABASE_URL, checked by playwright.config.ts) with
// the project's own scripts, so they are exercised too. DEMO_USERS=1 makes the seed create
// the demo admin and buyer and write their passwords to $SATCHEL_DATA_DIR/demo-logins.json
// (read by demoLogins() in e2e/fixtures.ts).
import { spawnSync } from "node:child_process";
import path from "node:path";

function runScript(script: string): void {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const r = spawnSync(tsx, ["--conditions=react-server", script], {
    encoding: "utf8",
    env: { ...process.env, DEMO_USERS: "1", ADMIN_EMAILS: "" },
  });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  // Passwords stay out of the log; the fixtures read them from the file.
  process.stdout.write(r.stdout.replace(/ {2}\/ {2}\S+/g, "  /  ***"));
}

export default function globalSetup(): void {
  runScript("scripts/db-migrate.ts");
  runScript("scripts/db-seed.ts");
}
