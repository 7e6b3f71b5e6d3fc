-- Provider rails (M-Pesa, Interledger, NEO Bank): the plain-language reason a payment
-- failed, shown to the buyer beside a "Try again" button.
ALTER TABLE "Checkout" ADD COLUMN "failureMessage" TEXT;
