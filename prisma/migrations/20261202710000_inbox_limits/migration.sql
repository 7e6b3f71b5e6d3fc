-- The webhook inbox cannot be flooded (issue 11): a rejected call names its source (the
-- caller's address); an identical rejected call from the same source within the hour adds to
-- "repeats" on the first one's row instead of a new row; past the per-source and per-provider
-- limits a rejected call is counted on the latest row and not stored. Retention deletes old
-- rejected rows and old finished rows that are tied to no checkout (lib/inbox/inbox.ts).
ALTER TABLE "WebhookInbox" ADD COLUMN "source" TEXT;
ALTER TABLE "WebhookInbox" ADD COLUMN "repeats" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "WebhookInbox" ADD COLUMN "lastSeenAt" TIMESTAMP(3);
CREATE INDEX "WebhookInbox_provider_status_receivedAt_idx" ON "WebhookInbox"("provider", "status", "receivedAt");
CREATE INDEX "WebhookInbox_source_receivedAt_idx" ON "WebhookInbox"("source", "receivedAt");
