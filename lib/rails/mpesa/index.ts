export { mpesaSettings } from "./config";
export { mpesaRail } from "./rail";
