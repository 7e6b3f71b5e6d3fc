import "server-only";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/lib/env";
import { claimEmbeddedLock } from "./embedded-lock";
import { PrismaClient, type Prisma as PrismaNs } from "./generated/client";
import { migrate } from "./migrate";

// The one Prisma client of the process. DATABASE_URL set ⇒ PostgreSQL through
// @prisma/adapter-pg; unset ⇒ an embedded PGlite database in SATCHEL_DATA_DIR, so the app
// runs with no services at all. Created on first use, so importing this module (during
// `next build`, say) opens nothing.

type Handle = {
  client: PrismaClient;
  ready: Promise<void>;
  close: () => Promise<void>;
  /** Runs one hand-written statement (see `sql`). */
  query: (statement: PrismaNs.Sql) => Promise<unknown[]>;
};

const globalForDb = globalThis as unknown as { __satchelDb?: Handle };

function open(): Handle {
  const e = env();
  if (e.DATABASE_URL) {
    // One pool for Prisma and for the hand-written hot-path statements alike.
    const pool = new pg.Pool({ connectionString: e.DATABASE_URL });
    const client = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      client,
      ready: Promise.resolve(),
      close: async () => {
        await client.$disconnect();
        await pool.end();
      },
      query: async (statement) => (await pool.query({ text: statement.text, values: statement.values.map(param), types: SQL_TYPES })).rows,
    };
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
    query: (statement) => client.$queryRaw(statement),
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

/**
 * One hand-written statement (built with `Prisma.sql`), run on the driver itself where there
 * is one: the hot paths of the host API (key check, idempotency record, a debit) are a
 * statement each, and Prisma's own per-query work costs several times a plain round trip on
 * those (`npm run bench`, section 4). Rows come back as `pg` reads them: int8 and numeric as
 * strings, timestamps as Dates (read as UTC, as Prisma writes them), jsonb parsed. Embedded
 * mode (PGlite) runs the same statement through Prisma.
 */
export function sql<T>(statement: PrismaNs.Sql): Promise<T[]> {
  return handle().query(statement) as Promise<T[]>;
}

// Prisma stores DateTime as UTC in `timestamp(3)` columns: dates go out as ISO strings (pg would
// send them in the process's time zone) and come back read as UTC.
const param = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const SQL_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.TIMESTAMP
      ? (v: string) => new Date(`${v.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_, prop) {
    const client = handle().client;
    const value = Reflect.get(client, prop, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export { Prisma } from "./generated/client";
export type { PrismaClient };
