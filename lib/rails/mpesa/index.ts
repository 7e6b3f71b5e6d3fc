export { mpesaRail, observeMpesaCheckout, startMpesaCheckout } from "./rail";
export { mpesaSettings } from "./config";
export { retryMpesaCheckout } from "./rail";
