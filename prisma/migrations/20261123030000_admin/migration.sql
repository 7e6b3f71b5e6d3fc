-- Admin (issue 5): one resolution per checkout exception, and an index for the payments
-- table's default order (newest first) and date-range filters.

CREATE TABLE "CheckoutResolution" (
    "checkoutId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "credits" INTEGER,
    "reason" TEXT NOT NULL,
    "actorId" TEXT,
    "auditId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CheckoutResolution_pkey" PRIMARY KEY ("checkoutId"),
    CONSTRAINT "CheckoutResolution_kind_known" CHECK ("kind" IN ('credit_full', 'credit_partial', 'invalid'))
);
CREATE UNIQUE INDEX "CheckoutResolution_auditId_key" ON "CheckoutResolution"("auditId");
