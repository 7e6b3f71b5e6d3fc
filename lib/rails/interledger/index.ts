export { interledgerRail } from "./rail";
export { interledgerSettings } from "./config";
export { finishInterledger, observeInterledger, startInterledgerCheckout } from "./payment";
export { handleInterledgerWebhook, INTERLEDGER_PROVIDER } from "./webhook";
