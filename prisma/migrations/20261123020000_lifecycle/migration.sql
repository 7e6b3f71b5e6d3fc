-- Lifecycle: background work bookkeeping. The webhook inbox, the event outbox, outbound
-- email (also the local outbox), provider calls, hot-wallet sweeps, and the checkout flags
-- that say an admin must look or the receipt went out.

ALTER TABLE "Checkout" ADD COLUMN "needsAttention" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Checkout" ADD COLUMN "attentionReason" TEXT;
ALTER TABLE "Checkout" ADD COLUMN "notifiedAt" TIMESTAMP(3);

CREATE TYPE "WebhookStatus" AS ENUM ('received', 'processed', 'rejected', 'failed', 'ignored');

CREATE TABLE "WebhookInbox" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "headers" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verifyError" TEXT,
    "status" "WebhookStatus" NOT NULL DEFAULT 'received',
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    "checkoutId" TEXT,
    CONSTRAINT "WebhookInbox_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "WebhookInbox_provider_dedupKey_key" ON "WebhookInbox"("provider", "dedupKey");
CREATE INDEX "WebhookInbox_receivedAt_idx" ON "WebhookInbox"("receivedAt");
CREATE INDEX "WebhookInbox_checkoutId_idx" ON "WebhookInbox"("checkoutId");
ALTER TABLE "WebhookInbox" ADD CONSTRAINT "WebhookInbox_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "EventOutbox" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    CONSTRAINT "EventOutbox_pkey" PRIMARY KEY ("id")
);
-- The reconciler scans only what is still unsent.
CREATE INDEX "EventOutbox_unsent_idx" ON "EventOutbox"("createdAt") WHERE "sentAt" IS NULL;

CREATE TABLE "OutboundEmail" (
    "id" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT,
    "checkoutId" TEXT,
    "transport" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "OutboundEmail_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "OutboundEmail_transport_known" CHECK ("transport" IN ('smtp', 'outbox'))
);
CREATE UNIQUE INDEX "OutboundEmail_dedupKey_key" ON "OutboundEmail"("dedupKey");
CREATE INDEX "OutboundEmail_createdAt_idx" ON "OutboundEmail"("createdAt");
ALTER TABLE "OutboundEmail" ADD CONSTRAINT "OutboundEmail_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "OutboundCall" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "OutboundCall_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "OutboundCall_provider_dedupKey_key" ON "OutboundCall"("provider", "dedupKey");

CREATE TABLE "SweepTransaction" (
    "id" TEXT NOT NULL,
    "checkoutId" TEXT NOT NULL,
    "txid" TEXT NOT NULL,
    "hex" TEXT NOT NULL,
    "inputs" TEXT[] NOT NULL,
    "feeSats" BIGINT NOT NULL,
    "amountSats" BIGINT NOT NULL,
    "feeRate" TEXT NOT NULL,
    "toAddress" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "broadcastAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    CONSTRAINT "SweepTransaction_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SweepTransaction_txid_hex" CHECK ("txid" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "SweepTransaction_amounts_positive" CHECK ("feeSats" > 0 AND "amountSats" > 0)
);
CREATE UNIQUE INDEX "SweepTransaction_checkoutId_key" ON "SweepTransaction"("checkoutId");
CREATE UNIQUE INDEX "SweepTransaction_txid_key" ON "SweepTransaction"("txid");
ALTER TABLE "SweepTransaction" ADD CONSTRAINT "SweepTransaction_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- What the reconciler finishes: paid-but-uncredited, credited-but-unforwarded/unnotified.
CREATE INDEX "Checkout_settling_idx" ON "Checkout"("updatedAt") WHERE "status" IN ('paid', 'credited') OR ("status" = 'forwarded' AND "notifiedAt" IS NULL);
