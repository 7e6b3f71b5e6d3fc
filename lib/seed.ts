import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hashPassword } from "@/lib/auth/passwords";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { seedPackages } from "@/lib/packages/packages";

export interface DemoLogin {
  role: "admin" | "buyer";
  email: string;
  password: string;
}

// Demo accounts exist only in the embedded default (or when DEMO_USERS=1 for local e2e).
// Their passwords are random per data folder and kept beside the database, so a copy of the
// repo never carries a working admin password.
function demoLogins(dataDir: string): DemoLogin[] {
  const file = path.resolve(dataDir, "demo-logins.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as DemoLogin[];
  const pw = () => randomBytes(9).toString("base64url");
  const logins: DemoLogin[] = [
    { role: "admin", email: "admin@satchel.local", password: pw() },
    { role: "buyer", email: "buyer@satchel.local", password: pw() },
  ];
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  return logins;
}

export async function seed(): Promise<{ packagesCreated: number; demoLogins: DemoLogin[] }> {
  const e = env();
  const packagesCreated = await seedPackages();
  if (!e.embedded && !e.DEMO_USERS) return { packagesCreated, demoLogins: [] };
  const logins = demoLogins(e.SATCHEL_DATA_DIR);
  for (const l of logins) {
    const existing = await db.user.findUnique({ where: { email: l.email }, select: { id: true } });
    if (!existing) await db.user.create({ data: { email: l.email, name: `Demo ${l.role}`, role: l.role, passwordHash: await hashPassword(l.password) } });
  }
  return { packagesCreated, demoLogins: logins };
}
