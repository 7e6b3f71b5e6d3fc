-- Account security (issue 11): sessions that can be ended, admin roles that need a verified
-- address and stay revoked, and sign-in throttling shared by every instance.
--
-- "sessionVersion" is copied into each session token at sign-in and compared on every
-- request: sign-out, a password change or a role change increments it, and every older
-- token stops working at once.
ALTER TABLE "User" ADD COLUMN "sessionVersion" INTEGER NOT NULL DEFAULT 0;
-- Set when an admin revokes someone's admin role: ADMIN_EMAILS no longer promotes that
-- account (a recorded revoke wins over the list). Cleared when an admin grants it again.
ALTER TABLE "User" ADD COLUMN "adminRevokedAt" TIMESTAMP(3);

-- rate-limiter-flexible's Prisma store (RateLimiterPrisma): one row per throttled key
-- ("signin:account:<email>", "signin:ip:<address>"), its points and when the window ends.
CREATE TABLE "RateLimit" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "expire" TIMESTAMP(3),
    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "RateLimit_expire_idx" ON "RateLimit"("expire");
