// Compares prisma/schema.prisma (through the Prisma schema engine's wasm DMMF) with a
// migrated PostgreSQL database, and reports every difference as one readable line.
// Migrations are hand-written SQL, so this is what keeps them and the Prisma client in step.
import { get_dmmf } from "@prisma/prisma-schema-wasm";
import type pg from "pg";

export interface Shape {
  /** table → column → "type" / "type?" (nullable) */
  tables: Map<string, Map<string, string>>;
  /** enum → values in order */
  enums: Map<string, string[]>;
  /** "pk Table(a,b)" and "unique Table(a,b)" */
  keys: Set<string>;
  /** "index Table(a,b)": plain indexes (@@index) */
  indexes: Set<string>;
  /** "fk Table(a) → Other(b) on delete Cascade" */
  foreignKeys: Set<string>;
  /** "default Table.column = value" (database-side defaults only; cuid()/uuid() are client-side) */
  defaults: Set<string>;
  /** "check Table.Name: CHECK (…)" as PostgreSQL prints it (schema.prisma: `// @check Name: CHECK (…)` lines in the model) */
  checks: Set<string>;
}

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  default?: unknown;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: { model: string; type: "id" | "unique" | "normal" | "fulltext"; fields: { name: string }[] }[];
  };
}

const SCALAR: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};

const NATIVE: Record<string, (args: string[]) => string> = {
  Text: () => "text",
  Integer: () => "integer",
  BigInt: () => "bigint",
  SmallInt: () => "smallint",
  Boolean: () => "boolean",
  Uuid: () => "uuid",
  JsonB: () => "jsonb",
  Json: () => "json",
  VarChar: (a) => (a[0] ? `varchar(${a[0]})` : "varchar"),
  Char: (a) => `char(${a[0] ?? 1})`,
  Timestamp: (a) => `timestamp(${a[0] ?? 6})`,
  Timestamptz: (a) => `timestamptz(${a[0] ?? 6})`,
  Date: () => "date",
  DoublePrecision: () => "double precision",
  Decimal: (a) => (a.length ? `numeric(${a.join(",")})` : "numeric"),
};

export function parseSchema(prismaSchema: string): Dmmf {
  return JSON.parse(get_dmmf(JSON.stringify({ prismaSchema }))) as Dmmf;
}

/** What the database should look like according to schema.prisma. */
export function shapeFromSchema(prismaSchema: string): Shape {
  const { datamodel } = parseSchema(prismaSchema);
  const tableOf = new Map(datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const enumDb = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const shape: Shape = {
    tables: new Map(),
    enums: new Map(),
    keys: new Set(),
    indexes: new Set(),
    foreignKeys: new Set(),
    defaults: new Set(),
    checks: new Set(),
  };
  const col = (m: DmmfModel, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    return f?.dbName ?? fieldName;
  };

  for (const e of datamodel.enums)
    shape.enums.set(
      e.dbName ?? e.name,
      e.values.map((v) => v.dbName ?? v.name),
    );

  for (const m of datamodel.models) {
    const table = m.dbName ?? m.name;
    const columns = new Map<string, string>();
    for (const f of m.fields) {
      if (f.kind === "object") {
        if (f.relationFromFields?.length) {
          const onDelete = f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull");
          const target = datamodel.models.find((x) => x.name === f.type)!;
          shape.foreignKeys.add(
            `fk ${table}(${f.relationFromFields.map((n) => col(m, n)).join(",")}) → ${tableOf.get(f.type)}(${(f.relationToFields ?? []).map((n) => col(target, n)).join(",")}) on delete ${onDelete}`,
          );
        }
        continue;
      }
      let type: string;
      if (f.kind === "enum") type = `enum ${enumDb.get(f.type) ?? f.type}`;
      else if (f.nativeType) {
        const native = NATIVE[f.nativeType[0]];
        type = native ? native(f.nativeType[1]) : `unsupported native type @db.${f.nativeType[0]}`;
      } else type = SCALAR[f.type] ?? `unsupported type ${f.type}`;
      if (f.isList) type = `${type}[]`;
      columns.set(f.dbName ?? f.name, f.isRequired || f.isList ? type : `${type}?`);
      const def = schemaDefault(f.default);
      if (def !== null) shape.defaults.add(`default ${table}.${f.dbName ?? f.name} = ${def}`);
    }
    shape.tables.set(table, columns);
  }

  // Prisma cannot express CHECK constraints; schema.prisma lists each one the migrations
  // create as a `// @check Name: CHECK (…)` line inside its model, in PostgreSQL's own wording.
  let model: string | null = null;
  for (const line of prismaSchema.split("\n")) {
    const open = /^model (\w+) \{/.exec(line);
    if (open) model = open[1]!;
    else if (/^\}/.test(line)) model = null;
    const check = /^\s*\/\/ @check (\S+): (CHECK .*)$/.exec(line);
    if (check && model) shape.checks.add(`check ${tableOf.get(model) ?? model}.${check[1]}: ${check[2]!.trim()}`);
  }

  for (const ix of datamodel.indexes) {
    const m = datamodel.models.find((x) => x.name === ix.model)!;
    const cols = `${m.dbName ?? m.name}(${ix.fields.map((f) => col(m, f.name)).join(",")})`;
    if (ix.type === "id") shape.keys.add(`pk ${cols}`);
    else if (ix.type === "unique") shape.keys.add(`unique ${cols}`);
    else if (ix.type === "normal") shape.indexes.add(`index ${cols}`);
  }
  return shape;
}

/** A Prisma @default as the database would hold it; null for none or a client-side one. */
function schemaDefault(d: unknown): string | null {
  if (d === undefined || d === null) return null;
  if (typeof d === "object" && !Array.isArray(d) && "name" in d) {
    const fn = d as { name: string; args: unknown[] };
    if (fn.name === "now") return "CURRENT_TIMESTAMP";
    if (fn.name === "autoincrement") return "autoincrement()";
    if (fn.name === "dbgenerated") return String(fn.args[0] ?? "");
    return null; // cuid(), uuid(), nanoid(), ulid(): generated by the client
  }
  return String(d);
}

/** A column_default from information_schema in the same form as schemaDefault. */
function databaseDefault(raw: string): string {
  let s = raw.trim();
  if (/^nextval\(/.test(s)) return "autoincrement()";
  if (/^(now\(\)|CURRENT_TIMESTAMP)$/i.test(s)) return "CURRENT_TIMESTAMP";
  // Drop trailing casts ('pending'::"CheckoutStatus", '{}'::jsonb, '0'::bigint), then quotes.
  for (;;) {
    const m = /^(.*)::(?:"[^"]+"|[a-z_ ]+(?:\(\d+(?:,\d+)?\))?)(?:\[\])?$/.exec(s);
    if (!m) break;
    s = m[1]!;
  }
  if (/^\(.*\)$/.test(s)) s = s.slice(1, -1);
  if (/^'.*'$/s.test(s)) s = s.slice(1, -1).replaceAll("''", "'");
  return s;
}

const ON_DELETE: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };

function dbType(r: {
  data_type: string;
  udt_name: string;
  datetime_precision: number | null;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
}): string {
  switch (r.data_type) {
    case "USER-DEFINED":
      return `enum ${r.udt_name}`;
    case "ARRAY":
      return `${r.udt_name.replace(/^_/, "")}[]`;
    case "timestamp without time zone":
      return `timestamp(${r.datetime_precision})`;
    case "timestamp with time zone":
      return `timestamptz(${r.datetime_precision})`;
    case "character varying":
      return r.character_maximum_length ? `varchar(${r.character_maximum_length})` : "varchar";
    case "character":
      return `char(${r.character_maximum_length})`;
    case "numeric":
      return r.numeric_precision != null ? `numeric(${r.numeric_precision},${r.numeric_scale})` : "numeric";
    default:
      return r.data_type;
  }
}

/** What the database at `client` looks like (public schema, Prisma's bookkeeping excluded). */
export async function shapeFromDatabase(client: pg.Client): Promise<Shape> {
  const shape: Shape = {
    tables: new Map(),
    enums: new Map(),
    keys: new Set(),
    indexes: new Set(),
    foreignKeys: new Set(),
    defaults: new Set(),
    checks: new Set(),
  };
  const skip = (t: string) => t === "_prisma_migrations";

  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  for (const t of tables.rows) if (!skip(t.table_name)) shape.tables.set(t.table_name, new Map());

  const cols = await client.query(
    `SELECT table_name, column_name, column_default, data_type, udt_name, is_nullable, datetime_precision, character_maximum_length, numeric_precision, numeric_scale
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  for (const c of cols.rows) {
    const columns = shape.tables.get(c.table_name);
    if (!columns) continue;
    const type = dbType(c);
    columns.set(c.column_name, c.is_nullable === "YES" ? `${type}?` : type);
    if (c.column_default != null) shape.defaults.add(`default ${c.table_name}.${c.column_name} = ${databaseDefault(c.column_default)}`);
  }

  const checks = await client.query<{ table: string; name: string; def: string }>(
    `SELECT src.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS def
       FROM pg_constraint con JOIN pg_class src ON src.oid = con.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace
      WHERE con.contype = 'c' AND n.nspname = 'public'`,
  );
  for (const c of checks.rows) if (!skip(c.table)) shape.checks.add(`check ${c.table}.${c.name}: ${c.def}`);

  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  for (const e of enums.rows) shape.enums.set(e.name, e.values);

  // Partial and expression indexes are deliberate extras Prisma cannot express (hand-written
  // in migrations); they are not part of the comparison.
  const idx = await client.query<{ table: string; unique: boolean; primary: boolean; cols: string[] }>(
    `SELECT c.relname AS table, i.indisunique AS unique, i.indisprimary AS primary,
            array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS cols
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND i.indpred IS NULL AND i.indexprs IS NULL`,
  );
  for (const i of idx.rows) {
    if (skip(i.table)) continue;
    const cols = `${i.table}(${i.cols.join(",")})`;
    if (i.primary) shape.keys.add(`pk ${cols}`);
    else if (i.unique) shape.keys.add(`unique ${cols}`);
    else shape.indexes.add(`index ${cols}`);
  }

  const fks = await client.query<{ table: string; cols: string[]; ref: string; refcols: string[]; deltype: string }>(
    `SELECT src.relname AS table, dst.relname AS ref, con.confdeltype AS deltype,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS cols,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS refcols
       FROM pg_constraint con
       JOIN pg_class src ON src.oid = con.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace
       JOIN pg_class dst ON dst.oid = con.confrelid
      WHERE con.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const f of fks.rows)
    shape.foreignKeys.add(`fk ${f.table}(${f.cols.join(",")}) → ${f.ref}(${f.refcols.join(",")}) on delete ${ON_DELETE[f.deltype] ?? f.deltype}`);
  return shape;
}

/** Every way `actual` (database) differs from `expected` (schema.prisma); empty when equal. */
export function diffShapes(expected: Shape, actual: Shape): string[] {
  const out: string[] = [];
  for (const [table, cols] of expected.tables) {
    const have = actual.tables.get(table);
    if (!have) {
      out.push(`table "${table}" is in schema.prisma but not in the database`);
      continue;
    }
    for (const [col, type] of cols) {
      const got = have.get(col);
      if (got === undefined) out.push(`column "${table}"."${col}" (${type}) is in schema.prisma but not in the database`);
      else if (got !== type) out.push(`column "${table}"."${col}": schema.prisma says ${type}, the database has ${got}`);
    }
    for (const [col, type] of have) if (!cols.has(col)) out.push(`column "${table}"."${col}" (${type}) is in the database but not in schema.prisma`);
  }
  for (const table of actual.tables.keys()) if (!expected.tables.has(table)) out.push(`table "${table}" is in the database but not in schema.prisma`);

  for (const [name, values] of expected.enums) {
    const got = actual.enums.get(name);
    if (!got) out.push(`enum "${name}" is in schema.prisma but not in the database`);
    else if (got.join(",") !== values.join(",")) out.push(`enum "${name}": schema.prisma has [${values.join(", ")}], the database has [${got.join(", ")}]`);
  }
  for (const name of actual.enums.keys()) if (!expected.enums.has(name)) out.push(`enum "${name}" is in the database but not in schema.prisma`);

  const sets: [keyof Shape, string][] = [
    ["keys", "key"],
    ["indexes", "index"],
    ["foreignKeys", "foreign key"],
    ["defaults", "column"],
    ["checks", "constraint"],
  ];
  for (const [k, label] of sets) {
    const e = expected[k] as Set<string>;
    const a = actual[k] as Set<string>;
    for (const x of e) if (!a.has(x)) out.push(`${label} ${x} is in schema.prisma but not in the database`);
    for (const x of a) if (!e.has(x)) out.push(`${label} ${x} is in the database but not in schema.prisma`);
  }
  return out;
}
