// Vitest setup file: runs in every worker before each test file's imports. Gives the worker
// its own database, cloned from the migrated template made by test/global-setup.ts, and
// points DATABASE_URL / AUTH_SECRET at it before lib/env.ts is first read.
import { inject } from "vitest";
import { createDatabase } from "./db";

const adminUrl = inject("adminUrl");
const templateDb = inject("templateDb");
const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "0";

process.env.SATCHEL_TEST_ADMIN_URL = adminUrl;
process.env.DATABASE_URL = await createDatabase(adminUrl, `${templateDb}_w${worker}`, templateDb);
process.env.AUTH_SECRET = inject("authSecret");
process.env.ADMIN_EMAILS = "";
process.env.LOG_LEVEL ??= "silent";
