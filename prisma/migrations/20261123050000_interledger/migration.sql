-- Interledger Open Payments (issue 6): one row per checkout paid through a buyer's wallet.
-- It holds what the finish redirect needs to verify the interaction hash (our nonce, the
-- auth server's nonce, the grant endpoint) and to continue the grant. "continueToken" is a
-- credential: it is never logged and never sent to the browser.

CREATE TABLE "IlpPayment" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "buyerWalletAddress" TEXT NOT NULL,
    "merchantWalletAddress" TEXT NOT NULL,
    "grantEndpoint" TEXT NOT NULL,
    "buyerResourceServer" TEXT NOT NULL,
    "incomingPaymentUrl" TEXT NOT NULL,
    "quoteUrl" TEXT NOT NULL,
    "assetCode" TEXT NOT NULL,
    "assetScale" INTEGER NOT NULL,
    "debitAmount" BIGINT NOT NULL,
    "debitAssetCode" TEXT NOT NULL,
    "debitAssetScale" INTEGER NOT NULL,
    "clientNonce" TEXT NOT NULL,
    "interactNonce" TEXT,
    "interactUrl" TEXT,
    "continueUri" TEXT NOT NULL,
    "continueToken" TEXT NOT NULL,
    "outgoingPaymentUrl" TEXT,
    "finishedAt" TIMESTAMP(3),
    "result" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "IlpPayment_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "IlpPayment_assetScale_range" CHECK ("assetScale" BETWEEN 0 AND 255 AND "debitAssetScale" BETWEEN 0 AND 255),
    CONSTRAINT "IlpPayment_debitAmount_positive" CHECK ("debitAmount" > 0)
);
CREATE UNIQUE INDEX "IlpPayment_checkoutId_key" ON "IlpPayment"("checkoutId");
CREATE UNIQUE INDEX "IlpPayment_incomingPaymentUrl_key" ON "IlpPayment"("incomingPaymentUrl");
CREATE UNIQUE INDEX "IlpPayment_outgoingPaymentUrl_key" ON "IlpPayment"("outgoingPaymentUrl");
ALTER TABLE "IlpPayment" ADD CONSTRAINT "IlpPayment_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
