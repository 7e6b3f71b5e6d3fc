"use client";

import type { ComponentType } from "react";
import type { LiveCheckout } from "@/lib/lifecycle/live";
import { BitcoinPanel } from "./rails/bitcoin-panel";
import { InterledgerPanel } from "./rails/interledger-panel";
import { MpesaPanel } from "./rails/mpesa-panel";
import { NeobankPanel } from "./rails/neobank-panel";

// Each rail's part of the checkout page: its instructions and live status. A rail registers
// its panel here with one line; the page around it (package, price, steps, outcome) is shared.
export const RAIL_PANELS: Record<string, ComponentType<{ c: LiveCheckout }>> = {
  btc: BitcoinPanel,
  mpesa: MpesaPanel,
  neobank: NeobankPanel,
  interledger: InterledgerPanel,
};
