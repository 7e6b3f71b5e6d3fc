import { defineConfig } from "prisma/config";

// Prisma 7 reads connection settings from here. Migrations are applied by
// scripts/db-migrate.ts (see README), so the URL only matters to Prisma's own CLI tools.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/satchel" },
});
