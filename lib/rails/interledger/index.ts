export { interledgerSettings } from "./config";
export { interledgerRail } from "./rail";
export { INTERLEDGER_PROVIDER } from "./webhook";
