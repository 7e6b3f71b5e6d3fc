import { afterEach, expect, test } from "vitest";
import { db, Prisma, sql } from "@/lib/db/client";

// `sql` runs hand-written statements on the driver beside Prisma. Prisma keeps DateTime as UTC
// in timestamp(3) columns; the driver, left alone, writes and reads such columns in the
// process's time zone. A server whose TZ is not UTC must still see one instant both ways.

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

test("a date written by sql reads back the same instant through Prisma and through sql, whatever the process's time zone", async () => {
  process.env.TZ = "Pacific/Kiritimati"; // UTC+14: any local-time slip shows as hours
  const at = new Date("2026-03-04T05:06:07.089Z");
  const id = `sql-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  await sql(Prisma.sql`
    INSERT INTO "IdempotencyRecord" ("id", "scope", "key", "method", "path", "requestHash", "responseStatus", "responseBody", "completedAt")
    VALUES (${id}, 'sql-test', ${id}, 'POST', '/x', 'h', 200, '{}', ${at}::timestamp(3))`);
  const viaPrisma = await db.idempotencyRecord.findUniqueOrThrow({ where: { id }, select: { completedAt: true } });
  expect(viaPrisma.completedAt?.toISOString()).toBe(at.toISOString());
  const [viaSql] = await sql<{ completedAt: Date }>(Prisma.sql`SELECT "completedAt" FROM "IdempotencyRecord" WHERE "id" = ${id}`);
  expect(viaSql?.completedAt.toISOString()).toBe(at.toISOString());
  // And a date Prisma wrote reads back the same through sql.
  await db.idempotencyRecord.update({ where: { id }, data: { completedAt: new Date("2027-01-01T00:00:00.000Z") } });
  const [again] = await sql<{ completedAt: Date }>(Prisma.sql`SELECT "completedAt" FROM "IdempotencyRecord" WHERE "id" = ${id}`);
  expect(again?.completedAt.toISOString()).toBe("2027-01-01T00:00:00.000Z");
});

test("a unique violation from sql is recognised like Prisma's (the idempotency claim relies on it)", async () => {
  const { isUniqueViolation } = await import("@/lib/db/errors");
  const id = `sql-dup-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const insert = () =>
    sql(
      Prisma.sql`INSERT INTO "IdempotencyRecord" ("id", "scope", "key", "method", "path", "requestHash") VALUES (${`${id}-${Math.random()}`}, 'sql-test', ${id}, 'POST', '/x', 'h')`,
    );
  await insert();
  const err = await insert().catch((e: unknown) => e);
  expect(isUniqueViolation(err)).toBe(true);
});
