import "server-only";
import type { Rail } from "@/lib/rails/types";
import { bitcoinSettings } from "./config";
import { createBtcCheckout } from "./create";
import { observeBtcCheckout } from "./observe";

export const bitcoinRail: Rail = {
  id: "btc",
  label: "Bitcoin",
  enabled: () => bitcoinSettings().enabled,
  sandbox: () => bitcoinSettings().simulated,
  fields: [],
  async start({ userId, packageId }) {
    const { id } = await createBtcCheckout(userId, packageId);
    return { checkoutId: id };
  },
  observe: (checkoutId) => observeBtcCheckout(checkoutId),
};
