import "server-only";

export { NeobankClient, NeobankError } from "./client";
// The NEO Bank / Bill Bitts gateway rail: settings, client, webhook handling and the rail.
export { type NeobankSettings, neobankSettings } from "./config";
export { neobankRail, observeNeobankCheckout, startNeobankCheckout } from "./rail";
export { handleNeobankWebhook, MAX_NEOBANK_BODY, NEOBANK_PROVIDER } from "./webhook";
