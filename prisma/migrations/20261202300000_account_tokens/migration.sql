-- Buyer accounts (issue 12): the language a buyer reads Satchel in (so emails follow the
-- switcher), and single-use, expiring email links for password reset and email change.
-- Only a SHA-256 of each token is stored: a database leak hands out no working links.

ALTER TABLE "User" ADD COLUMN "locale" TEXT;
ALTER TABLE "User" ADD CONSTRAINT "User_locale_known" CHECK ("locale" IS NULL OR "locale" IN ('en', 'sw'));

CREATE TABLE "AccountToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "newEmail" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AccountToken_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "AccountToken_purpose_known" CHECK ("purpose" IN ('password_reset', 'email_change')),
    CONSTRAINT "AccountToken_email_change_has_email" CHECK (("purpose" = 'email_change') = ("newEmail" IS NOT NULL))
);
CREATE UNIQUE INDEX "AccountToken_tokenHash_key" ON "AccountToken"("tokenHash");
CREATE INDEX "AccountToken_userId_purpose_idx" ON "AccountToken"("userId", "purpose");
ALTER TABLE "AccountToken" ADD CONSTRAINT "AccountToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
