import "server-only";
import type { Rail } from "@/lib/rails/types";
import { interledgerSettings } from "./config";
import { finishInterledger, type IlpContextData, interledgerDetails, observeInterledger, prepareInterledger, startInterledger } from "./payment";
import { sandboxExampleWallet } from "./sandbox-gate";
import { interledgerWebhook } from "./webhook";

// Interledger Open Payments: the buyer approves the payment in their own wallet (the buy form
// sends them there), and the incoming payment on the merchant's wallet says when it arrived.
export const interledgerRail: Rail<IlpContextData> = {
  id: "interledger",
  label: "Interledger",
  hint: "Approve the payment in your Interledger wallet",
  enabled: () => interledgerSettings().mode !== "disabled",
  sandbox: () => interledgerSettings().mode === "sandbox",
  // In the sandbox the hint names a wallet that exists there (any name works).
  get fields() {
    const example = sandboxExampleWallet();
    const hint = example ? `Sandbox wallet, e.g. ${example}` : "e.g. https://ilp.example/alice";
    return [{ name: "walletAddress", label: "Your wallet address", type: "url" as const, hint, required: true }];
  },
  prepare: prepareInterledger,
  start: startInterledger,
  observe: ({ checkout }) => observeInterledger(checkout),
  webhook: interledgerWebhook,
  providerReturn: (checkout, params, now) => finishInterledger(checkout, params, now),
  panel: async (c) => ({ details: await interledgerDetails(c.id, c.retryHref) }),
};
