-- NEO Bank compatibility mode (issue 14 item 1). A gateway that answers a payment with
-- {tx_id, status: "pending"} and no payment page (the buyer approves in the NEO Bank app)
-- leaves NeobankPayment.paymentUrl empty. A payment the gateway confirms that no checkout here
-- started (a deposit on a buyer's CPRN, a tx id Satchel did not create) becomes a
-- NeobankDeposit row on the admin worklist: open until an admin credits it (or it is credited
-- automatically at NEOBANK_CREDITS_PER_UNIT) or marks it refunded outside Satchel. One row per
-- gateway tx id, so a redelivered report never records or credits a deposit twice.

ALTER TABLE "NeobankPayment" ALTER COLUMN "paymentUrl" DROP NOT NULL;

CREATE TABLE "NeobankDeposit" (
    "id" TEXT NOT NULL,
    "gatewayTxId" TEXT NOT NULL,
    "cprn" TEXT NOT NULL,
    "userId" TEXT,
    "amountMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "gatewayStatus" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'open',
    "credits" INTEGER,
    "ledgerEntryId" TEXT,
    "resolvedById" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "NeobankDeposit_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NeobankDeposit_state_known" CHECK ("state" IN ('open', 'credited', 'refunded')),
    CONSTRAINT "NeobankDeposit_amount_positive" CHECK ("amountMinor" > 0),
    CONSTRAINT "NeobankDeposit_credited_has_credits" CHECK ("state" <> 'credited' OR ("credits" > 0 AND "ledgerEntryId" IS NOT NULL))
);
CREATE UNIQUE INDEX "NeobankDeposit_gatewayTxId_key" ON "NeobankDeposit"("gatewayTxId");
CREATE INDEX "NeobankDeposit_state_createdAt_idx" ON "NeobankDeposit"("state", "createdAt");
CREATE INDEX "NeobankDeposit_userId_idx" ON "NeobankDeposit"("userId");
ALTER TABLE "NeobankDeposit" ADD CONSTRAINT "NeobankDeposit_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
