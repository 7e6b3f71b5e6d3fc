import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// The tests `npm run test:mutation` (stryker.config.json) runs against each mutant of the money
// core: only the files that exercise the ledger, checkout transitions and crediting, the
// status rule (the Bitcoin state machine included), webhook verification and the inbox.
// (Not mergeConfig: it would append this list to the base config's include.)
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "lib/ledger/**/*.test.ts",
      "lib/checkouts/**/*.test.ts",
      "lib/inbox/**/*.test.ts",
      "lib/rails/bitcoin/observe.test.ts",
      "lib/rails/bitcoin/webhook*.test.ts",
      "lib/rails/interledger/webhook-signature.test.ts",
      "lib/rails/interledger/hash.test.ts",
      "lib/rails/neobank/signing.test.ts",
      "lib/rails/mpesa/callback.test.ts",
      "lib/rails/mpesa/mpesa.test.ts",
      "lib/rails/neobank/neobank.test.ts",
      "lib/rails/interledger/flow.test.ts",
      "app/api/webhooks/**/*.test.ts",
      "test/rails/memory/memory.test.ts",
      "lib/webhooks/**/*.test.ts",
      "test/rails/every-rail.test.ts",
    ],
  },
});
