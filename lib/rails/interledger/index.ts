export { interledgerSettings } from "./config";
export { finishInterledger, observeInterledger, startInterledgerCheckout } from "./payment";
export { interledgerRail } from "./rail";
export { handleInterledgerWebhook, INTERLEDGER_PROVIDER } from "./webhook";
