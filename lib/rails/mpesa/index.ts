export { mpesaSettings } from "./config";
export { mpesaRail, observeMpesaCheckout, retryMpesaCheckout, startMpesaCheckout } from "./rail";
