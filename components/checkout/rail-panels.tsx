"use client";

import type { ComponentType } from "react";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { BitcoinPanel } from "./rails/bitcoin-panel";
import { InterledgerPanel } from "./rails/interledger-panel";
import { MpesaPanel } from "./rails/mpesa-panel";
import { NeobankPanel } from "./rails/neobank-panel";
import type { Screen } from "./state";

export interface RailPanelProps {
  c: LiveCheckout;
  /** What the page shows now (components/checkout/state.ts): a panel gives instructions only while money is due. */
  screen: Screen;
}

// Each rail's part of the checkout page: its instructions while money is due, its details and
// sandbox controls. A rail registers its panel here with one line; the page around it
// (summary, tracker, "Payment received", result screens) is shared.
export const RAIL_PANELS: Record<string, ComponentType<RailPanelProps>> = {
  btc: BitcoinPanel,
  mpesa: MpesaPanel,
  neobank: NeobankPanel,
  interledger: InterledgerPanel,
};
