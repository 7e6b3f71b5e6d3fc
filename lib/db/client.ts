import "server-only";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/env";
import { claimEmbeddedLock } from "./embedded-lock";
import { PrismaClient } from "./generated/client";
import { migrate } from "./migrate";

// The one Prisma client of the process. DATABASE_URL set ⇒ PostgreSQL through
// @prisma/adapter-pg; unset ⇒ an embedded PGlite database in SATCHEL_DATA_DIR, so the app
// runs with no services at all. Created on first use, so importing this module (during
// `next build`, say) opens nothing.

type Handle = { client: PrismaClient; ready: Promise<void>; close: () => Promise<void> };

const globalForDb = globalThis as unknown as { __satchelDb?: Handle };

function open(): Handle {
  const e = env();
  if (e.DATABASE_URL) {
    const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: e.DATABASE_URL }) });
    return { client, ready: Promise.resolve(), close: () => client.$disconnect() };
  }
  return openEmbedded(path.resolve(e.SATCHEL_DATA_DIR, "pglite"));
}

function openEmbedded(dir: string): Handle {
  // Loaded lazily: production deployments with DATABASE_URL never load the wasm database. The
  // bundler is told to leave these imports alone, so its file tracing does not copy PGlite
  // (about 19 MB of wasm and data) into every serverless function, where embedded mode is
  // refused anyway; `next start` resolves them from node_modules at run time.
  const load = async () => {
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
      import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "@electric-sql/pglite") as Promise<typeof import("@electric-sql/pglite")>,
      import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "pglite-prisma-adapter") as Promise<typeof import("pglite-prisma-adapter")>,
    ]);
    const release = claimEmbeddedLock(dir); // PGlite does not detect a second process itself
    const pglite = new PGlite(dir);
    await pglite.waitReady;
    await migrate(pglite);
    return { pglite, release, adapter: new PrismaPGlite(pglite) };
  };
  const loaded = load();
  // The adapter factory is awaited by Prisma on first query, so queries wait for migrations.
  const client = new PrismaClient({
    adapter: {
      provider: "postgres",
      adapterName: "pglite-lazy",
      connect: async () => (await loaded).adapter.connect(),
    } as never,
  });
  return {
    client,
    ready: loaded.then(() => undefined),
    close: async () => {
      await client.$disconnect();
      const { pglite, release } = await loaded;
      await pglite.close();
      release();
    },
  };
}

function handle(): Handle {
  globalForDb.__satchelDb ??= open();
  return globalForDb.__satchelDb;
}

/** Resolves once the database is reachable and (embedded mode) migrated. */
export function databaseReady(): Promise<void> {
  return handle().ready;
}

export async function closeDatabase(): Promise<void> {
  const h = globalForDb.__satchelDb;
  globalForDb.__satchelDb = undefined;
  await h?.close();
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_, prop) {
    const client = handle().client;
    const value = Reflect.get(client, prop, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export { Prisma } from "./generated/client";
export type { PrismaClient };
