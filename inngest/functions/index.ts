import { checkoutLifecycle } from "./checkout-lifecycle";
import { hostMaintenanceCron } from "./host-maintenance";
import { reconcileCron } from "./reconcile";
import { reconciliationReportCron } from "./reconciliation-report";

/** Every function the serve route registers. */
export const functions = [checkoutLifecycle, reconcileCron, hostMaintenanceCron, reconciliationReportCron];
