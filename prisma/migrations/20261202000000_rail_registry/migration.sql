-- Checkout.rail holds the id of a registered rail (lib/rails/registry.ts). It was an enum; it
-- becomes text with a CHECK constraint listing the rails, because Prisma's client validates
-- enum values against the schema it was generated from: a rail registered at run time (the
-- test suite's in-memory rail) could never be written through it. Adding a rail is still one
-- migration: extend this list.
ALTER TABLE "Checkout" ALTER COLUMN "rail" TYPE TEXT USING "rail"::text;
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_rail_check" CHECK ("rail" IN ('btc', 'mpesa', 'interledger', 'neobank'));
DROP TYPE "Rail";
