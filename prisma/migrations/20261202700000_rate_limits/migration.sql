-- Atomic limits (issue 11): one row per counted use of a limited thing (an M-Pesa prompt to a
-- phone number), keyed by what is limited. lib/db/limit.ts takes a transaction-scoped
-- advisory lock on the key, counts the rows inside the window and inserts one, so concurrent
-- requests cannot all pass the check; rows older than the window are deleted as it goes.
CREATE TABLE "RateLimitHit" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RateLimitHit_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RateLimitHit_key_at_idx" ON "RateLimitHit"("key", "at");
