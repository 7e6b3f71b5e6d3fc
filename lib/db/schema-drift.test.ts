import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrateUrl, scratchDatabase, withClient } from "@/test/db";
import { diffShapes, type Shape, shapeFromDatabase, shapeFromSchema } from "@/test/schema-drift";

// schema.prisma (what the Prisma client believes) against the database the hand-written
// migrations produce. Any difference in tables, columns, types, nullability, defaults, enums,
// keys, indexes, foreign keys or CHECK constraints (listed in schema.prisma as `// @check`
// lines) fails here, with one line per difference.

const schemaText = readFileSync(path.join(process.cwd(), "prisma", "schema.prisma"), "utf8");

let scratch: { url: string; drop: () => Promise<void> };
let migrated: Shape;

beforeAll(async () => {
  scratch = await scratchDatabase("drift");
  await migrateUrl(scratch.url);
  migrated = await withClient(scratch.url, shapeFromDatabase);
});
afterAll(() => scratch?.drop());

test("the migrated database matches prisma/schema.prisma exactly", () => {
  const differences = diffShapes(shapeFromSchema(schemaText), migrated);
  expect(differences, `schema.prisma and prisma/migrations disagree:\n${differences.join("\n")}`).toEqual([]);
});

test("the comparison covers the whole model", () => {
  const expected = shapeFromSchema(schemaText);
  expect(expected.tables.size).toBeGreaterThanOrEqual(9);
  expect(expected.tables.get("User")?.get("email")).toBe("text");
  expect(expected.tables.get("User")?.get("name")).toBe("text?");
  expect(expected.tables.get("User")?.get("role")).toBe("enum Role");
  expect(expected.tables.get("User")?.get("createdAt")).toBe("timestamp(3)");
  expect(expected.tables.get("Checkout")?.get("expectedAmount")).toBe("bigint");
  expect(expected.tables.get("CheckoutEvent")?.get("data")).toBe("jsonb?");
  expect(expected.keys).toContain("pk Account(provider,providerAccountId)");
  expect(expected.keys).toContain("unique Checkout(rail,address)");
  expect(expected.foreignKeys).toContain("fk AuditLog(actorId) → User(id) on delete SetNull");
  expect(migrated.tables.has("_prisma_migrations")).toBe(false);
});

describe("detects drift on the schema side", () => {
  const withUser = (extra: string) => schemaText.replace(/model User \{\n/, `model User {\n${extra}\n`);

  test("a new field", () => {
    const diff = diffShapes(shapeFromSchema(withUser("  nickname String?")), migrated);
    expect(diff).toEqual(['column "User"."nickname" (text?) is in schema.prisma but not in the database']);
  });

  test("a changed type and nullability", () => {
    const changed = schemaText.replace(/(model CreditPackage \{[^}]*?)credits(\s+)Int/, "$1credits$2BigInt?");
    expect(changed).not.toBe(schemaText);
    expect(diffShapes(shapeFromSchema(changed), migrated)).toEqual(['column "CreditPackage"."credits": schema.prisma says bigint?, the database has integer']);
  });

  test("a new unique constraint, enum value and model", () => {
    const changed = withUser("  @@unique([name])")
      .replace("enum Role {\n  buyer\n  admin\n", "enum Role {\n  buyer\n  admin\n  auditor\n")
      .concat("\nmodel Extra {\n  id String @id\n}\n");
    const diff = diffShapes(shapeFromSchema(changed), migrated);
    expect(diff).toEqual(
      expect.arrayContaining([
        "key unique User(name) is in schema.prisma but not in the database",
        'enum "Role": schema.prisma has [buyer, admin, auditor], the database has [buyer, admin]',
        'table "Extra" is in schema.prisma but not in the database',
        "key pk Extra(id) is in schema.prisma but not in the database",
      ]),
    );
    expect(diff).toHaveLength(4);
  });

  test("a changed onDelete", () => {
    const changed = schemaText.replace(
      /(model LedgerEntry \{[^}]*?user User @relation\(fields: \[userId\], references: \[id\], onDelete: )Restrict/,
      "$1Cascade",
    );
    expect(changed).not.toBe(schemaText);
    expect(diffShapes(shapeFromSchema(changed), migrated)).toEqual([
      "foreign key fk LedgerEntry(userId) → User(id) on delete Cascade is in schema.prisma but not in the database",
      "foreign key fk LedgerEntry(userId) → User(id) on delete Restrict is in the database but not in schema.prisma",
    ]);
  });

  test("a changed @default", () => {
    const changed = schemaText.replace(/(model User \{[^}]*?balance\s+Int\s+)@default\(0\)/, "$1@default(100)");
    expect(changed).not.toBe(schemaText);
    expect(diffShapes(shapeFromSchema(changed), migrated)).toEqual([
      "column default User.balance = 100 is in schema.prisma but not in the database",
      "column default User.balance = 0 is in the database but not in schema.prisma",
    ]);
    const status = schemaText.replace(/(status\s+CheckoutStatus\s+)@default\(pending\)/, "$1@default(expired)");
    expect(diffShapes(shapeFromSchema(status), migrated)).toContain("column default Checkout.status = expired is in schema.prisma but not in the database");
  });

  test("a removed @default(now()) and a CHECK listed but not created", () => {
    const changed = schemaText
      .replace(/(model AuditLog \{[^}]*?createdAt\s+DateTime\s+)@default\(now\(\)\)/, "$1")
      .replace("model AuditLog {\n", "model AuditLog {\n  // @check AuditLog_action_known: CHECK ((action <> ''::text))\n");
    expect(diffShapes(shapeFromSchema(changed), migrated)).toEqual([
      "column default AuditLog.createdAt = CURRENT_TIMESTAMP is in the database but not in schema.prisma",
      "constraint check AuditLog.AuditLog_action_known: CHECK ((action <> ''::text)) is in schema.prisma but not in the database",
    ]);
  });
});

describe("detects drift on the database side", () => {
  async function diffWith(sql: string): Promise<string[]> {
    return withClient(scratch.url, async (c) => {
      await c.query("BEGIN");
      try {
        await c.query(sql);
        return diffShapes(shapeFromSchema(schemaText), await shapeFromDatabase(c));
      } finally {
        await c.query("ROLLBACK");
      }
    });
  }

  test("an extra column, a dropped NOT NULL, an extra table", async () => {
    const diff = await diffWith(
      `ALTER TABLE "User" ADD COLUMN "nickname" text; ALTER TABLE "CreditPackage" ALTER COLUMN "name" DROP NOT NULL; CREATE TABLE "Stray" (id int)`,
    );
    expect(diff).toEqual([
      'column "User"."nickname" (text?) is in the database but not in schema.prisma',
      'column "CreditPackage"."name": schema.prisma says text, the database has text?',
      'table "Stray" is in the database but not in schema.prisma',
    ]);
  });

  test("a missing unique index, a missing foreign key, an extra enum value", async () => {
    const diff = await diffWith(
      `DROP INDEX "User_email_key"; ALTER TABLE "Session" DROP CONSTRAINT "Session_userId_fkey"; ALTER TYPE "CheckoutException" ADD VALUE 'disputed'`,
    );
    expect(diff).toEqual(
      expect.arrayContaining([
        "key unique User(email) is in schema.prisma but not in the database",
        "foreign key fk Session(userId) → User(id) on delete Cascade is in schema.prisma but not in the database",
        'enum "CheckoutException": schema.prisma has [underpaid, overpaid, paid_late, multiple, invalid, paid_after_credit, reversed], the database has [underpaid, overpaid, paid_late, multiple, invalid, paid_after_credit, reversed, disputed]',
      ]),
    );
    expect(diff).toHaveLength(3);
  });

  test("a dropped CHECK constraint, a changed one and a changed default", async () => {
    const diff = await diffWith(
      `ALTER TABLE "User" DROP CONSTRAINT "User_balance_nonnegative";
       ALTER TABLE "Checkout" DROP CONSTRAINT "Checkout_rail_check";
       ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_rail_check" CHECK ("rail" IN ('btc', 'mpesa'));
       ALTER TABLE "Checkout" ALTER COLUMN "receivedAmount" SET DEFAULT 1`,
    );
    expect(diff).toEqual(
      expect.arrayContaining([
        "column default Checkout.receivedAmount = 0 is in schema.prisma but not in the database",
        "column default Checkout.receivedAmount = 1 is in the database but not in schema.prisma",
        "constraint check User.User_balance_nonnegative: CHECK ((balance >= 0)) is in schema.prisma but not in the database",
        "constraint check Checkout.Checkout_rail_check: CHECK ((rail = ANY (ARRAY['btc'::text, 'mpesa'::text, 'interledger'::text, 'neobank'::text]))) is in schema.prisma but not in the database",
        "constraint check Checkout.Checkout_rail_check: CHECK ((rail = ANY (ARRAY['btc'::text, 'mpesa'::text]))) is in the database but not in schema.prisma",
      ]),
    );
    expect(diff).toHaveLength(5);
  });

  test("partial unique indexes are allowed extras (Prisma cannot express them)", async () => {
    expect(await diffWith(`CREATE UNIQUE INDEX "x_partial" ON "Checkout"("userId") WHERE "status" = 'pending'`)).toEqual([]);
  });
});
