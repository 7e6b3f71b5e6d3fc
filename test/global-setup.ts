// Vitest global setup (runs once, in the main process, before any worker starts).
//  1. DATABASE_URL unset ⇒ start a throwaway PostgreSQL cluster (scripts/pg-cluster.ts).
//     DATABASE_URL set ⇒ use that server (the database in it is only used to connect; tests
//     never write to it).
//  2. Create a template database and migrate it with lib/db/migrate.ts.
//  3. Hand the workers the server URL, the template's name and an AUTH_SECRET; test/setup.ts
//     clones the template into one database per worker, so test files running in parallel
//     never see each other's rows.
// Teardown drops what it created and stops the cluster.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { type PgCluster, startCluster } from "../scripts/pg-cluster";
import { createDatabase, dropDatabase, migrateUrl, withClient } from "./db";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
    authSecret: string;
  }
}

export default async function setup(project: TestProject) {
  let cluster: PgCluster | undefined;
  const given = process.env.DATABASE_URL;
  if (!given) cluster = await startCluster();
  const adminUrl = given ?? cluster!.url;
  const runId = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const templateDb = `satchel_tpl_${runId}`;
  try {
    const url = await createDatabase(adminUrl, templateDb);
    await migrateUrl(url);
    // No connection may stay open on a template, or CREATE DATABASE … TEMPLATE refuses.
  } catch (err) {
    cluster?.stop();
    throw err;
  }
  const authSecret = process.env.AUTH_SECRET && process.env.AUTH_SECRET.length >= 32 ? process.env.AUTH_SECRET : randomBytes(32).toString("base64url");
  project.provide("adminUrl", adminUrl);
  project.provide("templateDb", templateDb);
  project.provide("authSecret", authSecret);

  return async () => {
    if (cluster) {
      cluster.stop();
      return;
    }
    // On a server we did not start, drop the template and the per-worker clones.
    await withClient(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${templateDb}%`]);
      for (const r of rows) await dropDatabase(adminUrl, r.datname);
    }).catch((err) => console.error(`warning: could not drop test databases: ${(err as Error).message}`));
  };
}
