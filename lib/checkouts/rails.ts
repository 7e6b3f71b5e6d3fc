import "server-only";
import { RAILS } from "@/lib/rails/registry";
import type { Rail } from "@/lib/rails/types";

const HINTS: Record<string, string> = {
  btc: "Any Bitcoin wallet · a QR code and a live status page",
  mpesa: "A payment prompt on your phone",
  interledger: "Approve the payment in your Interledger wallet",
  neobank: "Pay on the NEO Bank gateway",
};

export interface RailOffer {
  rail: string;
  label: string;
  hint: string;
  sandbox: boolean;
  fields: Rail["fields"];
}

/** The rails this deployment offers buyers, in display order, with the fields each needs. */
export function availableRails(): RailOffer[] {
  return RAILS.filter((r) => r.enabled()).map((r) => ({ rail: r.id, label: r.label, hint: HINTS[r.id] ?? "", sandbox: r.sandbox(), fields: r.fields }));
}
