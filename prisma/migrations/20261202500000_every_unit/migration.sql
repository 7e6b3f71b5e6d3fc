-- Every unit accounted for (issue 10).
-- Money that arrives after a checkout was credited, and a credited payment a reorg took away,
-- are exceptions of their own (the checkout stays credited; an admin decides).
ALTER TYPE "CheckoutException" ADD VALUE 'paid_after_credit';
ALTER TYPE "CheckoutException" ADD VALUE 'reversed';

-- A hot-wallet checkout may need more than one sweep: money paid after the first one is
-- swept by a later one. seq numbers them per checkout (0 = the sweep after crediting).
DROP INDEX "SweepTransaction_checkoutId_key";
ALTER TABLE "SweepTransaction" ADD COLUMN "seq" INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX "SweepTransaction_checkoutId_seq_key" ON "SweepTransaction"("checkoutId", "seq");
