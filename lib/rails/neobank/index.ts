import "server-only";
// The NEO Bank / Bill Bitts gateway rail: settings, client, webhook handling and the rail.
export { neobankSettings, type NeobankSettings } from "./config";
export { NeobankClient, NeobankError } from "./client";
export { neobankRail, startNeobankCheckout, observeNeobankCheckout } from "./rail";
export { handleNeobankWebhook, NEOBANK_PROVIDER, MAX_NEOBANK_BODY } from "./webhook";
