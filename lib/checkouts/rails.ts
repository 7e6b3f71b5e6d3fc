import "server-only";
import { bitcoinSettings } from "@/lib/rails/bitcoin/config";

export interface RailOffer {
  rail: "btc";
  label: string;
  hint: string;
}

/** The rails this deployment offers buyers, in display order. */
export function availableRails(): RailOffer[] {
  const rails: RailOffer[] = [];
  const btc = bitcoinSettings();
  if (btc.enabled)
    rails.push({
      rail: "btc",
      label: "Bitcoin",
      hint: btc.network === "mainnet" ? "Any Bitcoin wallet · confirmed on-chain" : `Bitcoin ${btc.network} · not real money`,
    });
  return rails;
}
