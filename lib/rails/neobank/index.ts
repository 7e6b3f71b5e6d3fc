import "server-only";

// The NEO Bank / Bill Bitts gateway rail: settings, client, webhook handling and the rail.
export { NeobankClient, NeobankError } from "./api";
export { type NeobankSettings, neobankSettings } from "./config";
export { neobankRail } from "./rail";
export { MAX_NEOBANK_BODY, NEOBANK_PROVIDER } from "./webhook";
