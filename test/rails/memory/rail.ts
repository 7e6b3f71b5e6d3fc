import type { Rail } from "@/lib/rails/types";
import { memoryProvider } from "./client";
import { memorySettings } from "./config";
import { factsFor } from "./facts";
import { memoryControls } from "./sandbox/controls";
import { memoryWebhook } from "./webhook";

// A fifth rail that exists only in the test suite: the Rail contract implemented against an
// in-memory provider (client.ts), in the same file vocabulary as the product rails. It talks
// to its provider and returns facts; everything else — creating the checkout, the rule,
// crediting, the lifecycle, expiry, the webhook entry — is the product's own core.

export const memoryRail: Rail = {
  id: "memory",
  label: "Memory Pay",
  hint: "A provider that lives in the test process",
  enabled: () => memorySettings().enabled,
  sandbox: () => memorySettings().sandbox,
  fields: [],
  async prepare({ pkg }) {
    return {
      expectedAmount: BigInt(pkg.priceMinor),
      amountUnit: `${pkg.currency} cents`,
      describe: `checkout started: ${pkg.priceMinor} for ${pkg.name} via Memory Pay`,
      context: null,
    };
  },
  async start(checkout) {
    const p = memoryProvider.create(checkout.id, checkout.expectedAmount);
    return { externalRef: p.id };
  },
  async observe({ checkout }) {
    if (!checkout.externalRef) return { facts: [] };
    const p = memoryProvider.status(checkout.externalRef);
    return { facts: factsFor(p, "status query") };
  },
  webhook: memoryWebhook,
  async panel(c) {
    return { details: { provider: "memory", checkoutId: c.id } };
  },
  async sandboxControls(checkout, action) {
    return memoryControls(checkout.externalRef, action);
  },
};
