-- Refunds of money (issue 10): money going back to the buyer, as opposed to taking credits
-- away. One row per refund of a checkout. Bitcoin refunds are BTCPay-style pull payments: the
-- buyer claims through a link (only its SHA-256 is stored) and enters an address; the hot
-- wallet then signs the payout, STORES it (hex, txid, inputs) and only then broadcasts, so a
-- re-run re-sends the stored transaction and never signs a second one. In watch-only mode
-- the admin pays and records the txid; other rails record an external refund's reference.
--   awaiting_claim → claimed → signed → broadcast → confirmed   (Bitcoin)
--   recorded                                                    (external: M-Pesa, NEO Bank, Interledger)
-- The amount is in the checkout's rail unit (sats, KES, the ILP asset's units). The sum of a
-- checkout's refunds never exceeds what it received; lib/refunds checks it under the
-- checkout's compare-and-set, so two admins at once cannot both pass the check.

CREATE TABLE "Refund" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "rail" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "unit" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "claimTokenHash" TEXT,
    "address" TEXT,
    "feeRate" TEXT,
    "feeSats" BIGINT,
    "payoutSats" BIGINT,
    "txid" TEXT,
    "hex" TEXT,
    "inputs" TEXT[] NOT NULL,
    "networkFeeSats" BIGINT,
    "externalRef" TEXT,
    "createdById" TEXT,
    "auditId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "signedAt" TIMESTAMP(3),
    "broadcastAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "recordedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Refund_amount_positive" CHECK ("amount" > 0),
    CONSTRAINT "Refund_status_known" CHECK ("status" IN ('awaiting_claim', 'claimed', 'signed', 'broadcast', 'confirmed', 'recorded')),
    CONSTRAINT "Refund_method_known" CHECK ("method" IN ('bitcoin_hot', 'bitcoin_manual', 'external')),
    CONSTRAINT "Refund_txid_hex" CHECK ("txid" IS NULL OR "txid" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "Refund_signed_has_tx" CHECK ("status" NOT IN ('signed', 'broadcast', 'confirmed') OR "txid" IS NOT NULL),
    CONSTRAINT "Refund_recorded_has_ref" CHECK ("status" <> 'recorded' OR "externalRef" IS NOT NULL)
);
CREATE UNIQUE INDEX "Refund_claimTokenHash_key" ON "Refund"("claimTokenHash");
CREATE UNIQUE INDEX "Refund_txid_key" ON "Refund"("txid");
CREATE INDEX "Refund_checkoutId_idx" ON "Refund"("checkoutId");
CREATE INDEX "Refund_status_idx" ON "Refund"("status");
ALTER TABLE "Refund" ADD CONSTRAINT "Refund_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
