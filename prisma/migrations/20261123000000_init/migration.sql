-- Satchel: users and sign-in, credit packages, the credits ledger, checkouts with their
-- timeline, and the audit log. Hand-written in Prisma's layout; see scripts/db-migrate.ts.

CREATE TYPE "Role" AS ENUM ('buyer', 'admin');
CREATE TYPE "Rail" AS ENUM ('btc', 'mpesa', 'interledger', 'neobank');
CREATE TYPE "CheckoutStatus" AS ENUM ('pending', 'confirming', 'paid', 'credited', 'forwarded', 'expired', 'failed');
CREATE TYPE "CheckoutException" AS ENUM ('underpaid', 'overpaid', 'paid_late', 'multiple', 'invalid');
CREATE TYPE "EventCause" AS ENUM ('buyer', 'chain', 'webhook', 'admin', 'expiry', 'system');

CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,
    "passwordHash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'buyer',
    "balance" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id"),
    -- The ledger never lets a balance go negative, even if application code is wrong.
    CONSTRAINT "User_balance_nonnegative" CHECK ("balance" >= 0),
    CONSTRAINT "User_email_lowercase" CHECK ("email" = lower("email"))
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

CREATE TABLE "Account" (
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Account_pkey" PRIMARY KEY ("provider", "providerAccountId")
);

CREATE TABLE "Session" (
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");

CREATE TABLE "VerificationToken" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "VerificationToken_pkey" PRIMARY KEY ("identifier", "token")
);

CREATE TABLE "CreditPackage" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "priceMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sortOrder" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CreditPackage_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "CreditPackage_credits_positive" CHECK ("credits" > 0),
    CONSTRAINT "CreditPackage_price_positive" CHECK ("priceMinor" > 0),
    CONSTRAINT "CreditPackage_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$')
);
CREATE UNIQUE INDEX "CreditPackage_slug_key" ON "CreditPackage"("slug");

CREATE TABLE "LedgerEntry" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "reference" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "LedgerEntry_amount_nonzero" CHECK ("amount" <> 0),
    CONSTRAINT "LedgerEntry_balance_nonnegative" CHECK ("balanceAfter" >= 0)
);
CREATE UNIQUE INDEX "LedgerEntry_idempotencyKey_key" ON "LedgerEntry"("idempotencyKey");
CREATE INDEX "LedgerEntry_userId_createdAt_idx" ON "LedgerEntry"("userId", "createdAt");

CREATE TABLE "Checkout" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "packageName" TEXT NOT NULL,
    "credits" INTEGER NOT NULL,
    "priceMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "rail" "Rail" NOT NULL,
    "status" "CheckoutStatus" NOT NULL DEFAULT 'pending',
    "exception" "CheckoutException",
    "expectedAmount" BIGINT NOT NULL,
    "receivedAmount" BIGINT NOT NULL DEFAULT 0,
    "amountUnit" TEXT NOT NULL,
    "rateValue" TEXT,
    "rateSource" TEXT,
    "rateAt" TIMESTAMP(3),
    "address" TEXT,
    "derivationIndex" INTEGER,
    "externalRef" TEXT,
    "confirmations" INTEGER NOT NULL DEFAULT 0,
    "confirmationsRequired" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "monitorUntil" TIMESTAMP(3) NOT NULL,
    "seenAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "creditedAt" TIMESTAMP(3),
    "forwardedAt" TIMESTAMP(3),
    "expiredAt" TIMESTAMP(3),
    "failedAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Checkout_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Checkout_amounts_nonnegative" CHECK ("expectedAmount" > 0 AND "receivedAmount" >= 0),
    CONSTRAINT "Checkout_monitor_after_expiry" CHECK ("monitorUntil" >= "expiresAt")
);
CREATE UNIQUE INDEX "Checkout_rail_address_key" ON "Checkout"("rail", "address");
CREATE UNIQUE INDEX "Checkout_rail_externalRef_key" ON "Checkout"("rail", "externalRef");
CREATE INDEX "Checkout_userId_createdAt_idx" ON "Checkout"("userId", "createdAt");
CREATE INDEX "Checkout_status_idx" ON "Checkout"("status");

CREATE TABLE "CheckoutEvent" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "fromStatus" "CheckoutStatus",
    "toStatus" "CheckoutStatus" NOT NULL,
    "exception" "CheckoutException",
    "cause" "EventCause" NOT NULL,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CheckoutEvent_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "CheckoutEvent_checkoutId_createdAt_idx" ON "CheckoutEvent"("checkoutId", "createdAt");

CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "reason" TEXT,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");

ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Checkout" ADD CONSTRAINT "Checkout_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "CreditPackage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CheckoutEvent" ADD CONSTRAINT "CheckoutEvent_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
