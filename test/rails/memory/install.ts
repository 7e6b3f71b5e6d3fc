import { readFileSync } from "node:fs";
import path from "node:path";
import { db } from "@/lib/db/client";
import { registerRail } from "@/lib/rails/registry";
import { memoryRail } from "./rail";

// Installing the test rail is what installing any rail is: its migration, then one registry line.
export async function installMemoryRail(): Promise<void> {
  const sql = readFileSync(path.join(import.meta.dirname, "migration.sql"), "utf8");
  for (const statement of sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^--.*$/gm, "").trim())
    .filter(Boolean))
    await db.$executeRawUnsafe(statement);
  registerRail(memoryRail);
}
