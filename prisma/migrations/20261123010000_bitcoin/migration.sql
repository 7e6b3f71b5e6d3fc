-- Bitcoin rail: outputs seen on chain per checkout, and the per-wallet address cursor.

ALTER TABLE "Checkout" ADD COLUMN "lastObservedAt" TIMESTAMP(3);

CREATE TABLE "ChainOutput" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "vout" INTEGER NOT NULL,
    "sats" BIGINT NOT NULL,
    "blockHeight" INTEGER,
    "blockHash" TEXT,
    "blockTime" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "goneAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ChainOutput_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ChainOutput_sats_positive" CHECK ("sats" > 0),
    CONSTRAINT "ChainOutput_txid_hex" CHECK ("txid" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "ChainOutput_txid_vout_key" ON "ChainOutput"("txid", "vout");
CREATE INDEX "ChainOutput_checkoutId_idx" ON "ChainOutput"("checkoutId");
ALTER TABLE "ChainOutput" ADD CONSTRAINT "ChainOutput_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "AddressCursor" (
    "walletKey" TEXT NOT NULL,
    "nextIndex" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AddressCursor_pkey" PRIMARY KEY ("walletKey"),
    CONSTRAINT "AddressCursor_index_nonnegative" CHECK ("nextIndex" >= 0)
);

-- Open checkouts are what observers and the reconciler scan.
CREATE INDEX "Checkout_open_idx" ON "Checkout"("lastObservedAt") WHERE "status" IN ('pending', 'confirming');
