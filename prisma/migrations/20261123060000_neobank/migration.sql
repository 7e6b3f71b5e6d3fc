-- NEO Bank / Bill Bitts gateway (issue 6): the buyer's payment profile at the gateway (its
-- CPRN, created on first use; an optional web3 wallet for the security-token flow) and one
-- gateway payment per checkout (its tx id, the page the buyer pays on, the last status the
-- gateway reported).

CREATE TABLE "NeobankProfile" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "cprn" TEXT NOT NULL,
    "web3Address" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "NeobankProfile_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NeobankProfile_web3Address_format" CHECK ("web3Address" IS NULL OR "web3Address" ~ '^0x[0-9a-fA-F]{40}$')
);
CREATE UNIQUE INDEX "NeobankProfile_userId_key" ON "NeobankProfile"("userId");
CREATE UNIQUE INDEX "NeobankProfile_cprn_key" ON "NeobankProfile"("cprn");
ALTER TABLE "NeobankProfile" ADD CONSTRAINT "NeobankProfile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "NeobankPayment" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "gatewayTxId" TEXT NOT NULL,
    "paymentUrl" TEXT NOT NULL,
    "lastStatus" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "NeobankPayment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NeobankPayment_checkoutId_key" ON "NeobankPayment"("checkoutId");
CREATE UNIQUE INDEX "NeobankPayment_gatewayTxId_key" ON "NeobankPayment"("gatewayTxId");
ALTER TABLE "NeobankPayment" ADD CONSTRAINT "NeobankPayment_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
