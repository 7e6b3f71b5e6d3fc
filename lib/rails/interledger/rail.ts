import "server-only";
import type { Rail } from "@/lib/rails/types";
import { interledgerSettings } from "./config";
import { interledgerDetails, observeInterledger, startInterledgerCheckout } from "./payment";
import { sandboxExampleWallet } from "./sandbox";

// Interledger Open Payments: the buyer approves the payment in their own wallet (the buy form
// sends them there), and the incoming payment on the merchant's wallet says when it arrived.
export const interledgerRail: Rail = {
  id: "interledger",
  label: "Interledger",
  enabled: () => interledgerSettings().mode !== "disabled",
  sandbox: () => interledgerSettings().mode === "sandbox",
  // In the sandbox the hint names a wallet that exists there (any name works).
  get fields() {
    const example = sandboxExampleWallet();
    const hint = example ? `Sandbox wallet, e.g. ${example}` : "e.g. https://ilp.example/alice";
    return [{ name: "walletAddress", label: "Your wallet address", type: "url" as const, hint, required: true }];
  },
  start: (input) => startInterledgerCheckout(input),
  observe: (checkoutId) => observeInterledger(checkoutId),
  viewDetails: (checkoutId) => interledgerDetails(checkoutId),
};
