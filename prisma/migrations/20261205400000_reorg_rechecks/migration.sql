-- Reorg safety after crediting (issue 10). A credited output is looked at again when it reaches
-- 6 and 100 confirmations (recheckedDepth records the deepest re-check done in its block), and
-- whenever the chain tip stops descending from the one seen last (BtcChainTip, per network).
ALTER TABLE "ChainOutput" ADD COLUMN "recheckedDepth" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "BtcChainTip" (
    "network" TEXT NOT NULL,
    "height" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "BtcChainTip_pkey" PRIMARY KEY ("network")
);
