import "server-only";
import { callbackBase, env } from "@/lib/env";
import type { CheckoutSnapshot } from "@/lib/rails/types";
import { bitcoinSettings } from "./config";

// With BTC_ADDRESS_SOURCE=electrum and ELECTRUM_NOTIFY_TOKEN set, each new checkout's
// address is subscribed with Electrum's `notify`, so the daemon POSTs to our webhook when the
// address's status changes and the checkout moves without waiting for the next sweep.
// Subscribing again is harmless (Electrum replaces the subscription).

export function electrumNotifyUrl(token: string): string {
  return new URL(`/api/webhooks/electrum/${encodeURIComponent(token)}`, callbackBase()).toString();
}

export async function subscribeAddress(c: Pick<CheckoutSnapshot, "rail" | "address">): Promise<{ subscribed: boolean; reason?: string }> {
  const settings = bitcoinSettings();
  const token = env().ELECTRUM_NOTIFY_TOKEN;
  if (settings.source !== "electrum" || !settings.electrum) return { subscribed: false, reason: "not using Electrum" };
  if (!token) return { subscribed: false, reason: "ELECTRUM_NOTIFY_TOKEN is not set" };
  if (c.rail !== "btc" || !c.address) return { subscribed: false, reason: "no Bitcoin address" };
  await settings.electrum.notify(c.address, electrumNotifyUrl(token));
  return { subscribed: true };
}
