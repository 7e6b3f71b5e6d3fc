import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { db } from "@/lib/db/client";
import { createUser } from "@/test/factories";

// `npm run reconcile:report` as an operator (or a cron job) runs it: the report on stdout, and
// an exit code a script can act on — 0 with no differences, 1 when there are (each listed with
// its link), 3 on a bad argument. Scoped to one user (--user), since this worker's database is
// shared with other test files.

const run = promisify(execFile);

function report(args: string[]) {
  // No Bitcoin rail (this user has no Bitcoin checkouts, and the script would start a simulator of its own).
  const { BTC_NETWORK: _n, ESPLORA_API_URL: _e, ...inherited } = process.env;
  const env = { ...inherited, APP_URL: "https://pay.example.com", LOG_LEVEL: "silent" };
  return run("npx", ["tsx", "--conditions=react-server", "scripts/reconcile-report.ts", ...args], { env, timeout: 120_000 }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

test("exit 0 and 'No differences.' on clean data; exit 1 listing a planted balance difference with its link; exit 3 on a bad date", async () => {
  const user = await createUser();
  const clean = await report(["--all", "--user", user.id]);
  expect(clean.stderr).toBe("");
  expect(clean.code).toBe(0);
  expect(clean.stdout).toContain("Ledger: 1 users, 0 entries, Σ entries 0 = Σ balances 0; 0 user(s) differ.");
  expect(clean.stdout).toContain("No differences.");

  await db.user.update({ where: { id: user.id }, data: { balance: 5 } });
  const planted = await report(["--all", "--user", user.id]);
  expect(planted.code).toBe(1);
  expect(planted.stdout).toContain("1 difference(s):");
  expect(planted.stdout).toContain(`balance 5 but Σ ledger entries 0 (0 entries) → https://pay.example.com/admin/users/${user.id}`);

  const csv = await report(["--all", "--user", user.id, "--csv"]);
  expect(csv.code).toBe(1);
  expect(csv.stdout.split("\n")[0]).toBe(
    "row,rail,unit,count,received,credited,credits,forwarded,refunded,open_exceptions,in_progress,marked,differences,kind,checkout_id,user_id,email,amount,message,link",
  );
  expect(csv.stdout).toContain(`difference,,credits,,,,,,,,,,,balance_mismatch,,${user.id},${user.email},5,`);

  const bad = await report(["--from", "2026-02-31"]);
  expect(bad.code).toBe(3);
  expect(bad.stderr).toContain("reconcile:report: Some query parameters are not valid.");
});
