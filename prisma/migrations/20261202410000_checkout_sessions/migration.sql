-- Hosted checkout sessions (issue 13): a host creates a session for its customer (a package,
-- or its own amount in fiat or BTC with the credits it buys, 0 allowed), the buyer opens its
-- unguessable link and pays on a rail; every attempt is a Checkout pointing at the session and
-- carrying the host's reference and metadata. A host-set amount has no package.

CREATE TABLE "CheckoutSession" (
    "id" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "packageId" TEXT,
    "description" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "rails" TEXT[] NOT NULL,
    "reference" TEXT,
    "metadata" JSONB NOT NULL,
    "successUrl" TEXT NOT NULL,
    "cancelUrl" TEXT,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CheckoutSession_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "CheckoutSession_credits_nonnegative" CHECK ("credits" >= 0),
    CONSTRAINT "CheckoutSession_amount_positive" CHECK ("amountMinor" > 0),
    CONSTRAINT "CheckoutSession_currency_code" CHECK ("currency" ~ '^[A-Z]{3}$')
);
CREATE UNIQUE INDEX "CheckoutSession_tokenHash_key" ON "CheckoutSession"("tokenHash");
CREATE INDEX "CheckoutSession_reference_idx" ON "CheckoutSession"("reference");
CREATE INDEX "CheckoutSession_createdAt_id_idx" ON "CheckoutSession"("createdAt", "id");
ALTER TABLE "CheckoutSession" ADD CONSTRAINT "CheckoutSession_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CheckoutSession" ADD CONSTRAINT "CheckoutSession_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "CreditPackage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Checkout" ALTER COLUMN "packageId" DROP NOT NULL;
ALTER TABLE "Checkout" ADD COLUMN "sessionId" TEXT;
ALTER TABLE "Checkout" ADD COLUMN "reference" TEXT;
ALTER TABLE "Checkout" ADD COLUMN "metadata" JSONB;
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "CheckoutSession"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Checkout_reference_idx" ON "Checkout"("reference");
CREATE INDEX "Checkout_sessionId_idx" ON "Checkout"("sessionId");
-- A plain payment buys no credits.
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_credits_nonnegative" CHECK ("credits" >= 0);
