-- Batched, fee-aware hot-wallet sweeps (issue 10).
-- One sweep transaction (SweepBatch) now spends the confirmed outputs of many checkouts to
-- BTC_FORWARD_ADDRESS; each checkout keeps its own SweepTransaction row (its part: the inputs,
-- amount and share of the fee), pointing at the batch. The batch row holds the signed hex,
-- stored before it is broadcast; an RBF bump is a new batch row that the old one points to.
CREATE TABLE "SweepBatch" (
    "id" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "hex" TEXT NOT NULL,
    "inputs" TEXT[] NOT NULL,
    "feeSats" BIGINT NOT NULL,
    "amountSats" BIGINT NOT NULL,
    "feeRate" TEXT NOT NULL,
    "vsize" INTEGER NOT NULL,
    "toAddress" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "broadcastAt" TIMESTAMP(3),
    "broadcastHeight" INTEGER,
    "confirmedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "replacedById" TEXT,
    CONSTRAINT "SweepBatch_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SweepBatch_txid_hex" CHECK ("txid" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "SweepBatch_amounts_positive" CHECK ("feeSats" > 0 AND "amountSats" > 0)
);
CREATE UNIQUE INDEX "SweepBatch_txid_key" ON "SweepBatch"("txid");
CREATE UNIQUE INDEX "SweepBatch_replacedById_key" ON "SweepBatch"("replacedById");
ALTER TABLE "SweepBatch" ADD CONSTRAINT "SweepBatch_replacedById_fkey" FOREIGN KEY ("replacedById") REFERENCES "SweepBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A checkout's part of a batch carries the batch's txid (the same txid on several rows), and
-- its hex lives on the batch. Rows from before batching keep their own hex and no batch.
DROP INDEX "SweepTransaction_txid_key";
CREATE INDEX "SweepTransaction_txid_idx" ON "SweepTransaction"("txid");
ALTER TABLE "SweepTransaction" ALTER COLUMN "hex" DROP NOT NULL;
ALTER TABLE "SweepTransaction" ADD COLUMN "batchId" TEXT;
CREATE INDEX "SweepTransaction_batchId_idx" ON "SweepTransaction"("batchId");
ALTER TABLE "SweepTransaction" ADD CONSTRAINT "SweepTransaction_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "SweepBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every outpoint a sweep ever spent, once: the primary key is what makes a second spend of
-- an input impossible to store, whichever process (or crash-and-retry) builds the next batch.
CREATE TABLE "SweepInput" (
    "outpoint" TEXT NOT NULL,
    "sweepId" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    CONSTRAINT "SweepInput_pkey" PRIMARY KEY ("outpoint"),
    CONSTRAINT "SweepInput_outpoint_format" CHECK ("outpoint" ~ '^[0-9a-f]{64}:[0-9]+$')
);
CREATE INDEX "SweepInput_checkoutId_idx" ON "SweepInput"("checkoutId");
CREATE INDEX "SweepInput_sweepId_idx" ON "SweepInput"("sweepId");
ALTER TABLE "SweepInput" ADD CONSTRAINT "SweepInput_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "SweepTransaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
INSERT INTO "SweepInput" ("outpoint", "sweepId", "checkoutId")
SELECT DISTINCT ON (i.outpoint) i.outpoint, s."id", s."checkoutId"
  FROM "SweepTransaction" s CROSS JOIN LATERAL unnest(s."inputs") AS i(outpoint)
 ORDER BY i.outpoint, s."seq";

-- Funds the last sweep left behind, and why ("waiting for cheaper fees: …", "collecting a
-- batch until …"): shown to admins, retried by the next sweep, removed once swept.
CREATE TABLE "SweepWait" (
    "checkoutId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "sats" BIGINT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "notedAt" TIMESTAMP(3),
    CONSTRAINT "SweepWait_pkey" PRIMARY KEY ("checkoutId")
);
ALTER TABLE "SweepWait" ADD CONSTRAINT "SweepWait_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE CASCADE ON UPDATE CASCADE;
