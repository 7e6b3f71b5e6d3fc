-- M-Pesa Express (Daraja STK push): one payment row per M-Pesa checkout, and the Daraja
-- OAuth token shared by every instance (refreshed once, under a row lock, shortly before it
-- expires).

CREATE TABLE "MpesaPayment" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "amountKes" INTEGER NOT NULL,
    "merchantRequestId" TEXT,
    "checkoutRequestId" TEXT,
    "receiptNumber" TEXT,
    "resultCode" INTEGER,
    "resultDesc" TEXT,
    "transactionDate" TEXT,
    "sandbox" BOOLEAN NOT NULL DEFAULT false,
    "queriedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "MpesaPayment_pkey" PRIMARY KEY ("id"),
    -- Daraja's MSISDN format, and M-Pesa charges whole shillings (at least 1).
    CONSTRAINT "MpesaPayment_phone_msisdn" CHECK ("phone" ~ '^254(7[0-9]{8}|11[0-5][0-9]{6})$'),
    CONSTRAINT "MpesaPayment_amount_positive" CHECK ("amountKes" >= 1)
);
CREATE UNIQUE INDEX "MpesaPayment_checkoutId_key" ON "MpesaPayment"("checkoutId");
CREATE UNIQUE INDEX "MpesaPayment_checkoutRequestId_key" ON "MpesaPayment"("checkoutRequestId");
-- A receipt pays exactly one checkout, ever.
CREATE UNIQUE INDEX "MpesaPayment_receiptNumber_key" ON "MpesaPayment"("receiptNumber");
ALTER TABLE "MpesaPayment" ADD CONSTRAINT "MpesaPayment_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "MpesaToken" (
    "id" TEXT NOT NULL,
    "accessToken" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "MpesaToken_pkey" PRIMARY KEY ("id")
);
