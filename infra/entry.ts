/** What infra/plugin.cjs uses of the generator: infra/load.cjs builds this file and its imports. */
export { DEFAULT_COST_OPTIONS, estimateCost } from "./cost";
export { cardinalityVerdict } from "./cost-guard";
export { costOptions, costSettings } from "./cost-settings";
export { costLine, formatCost } from "./cost-text";
export { dashboardUrl } from "./dashboard";
export { type FunctionPlan, planStack, type ServiceConfig, type StackPlan } from "./plan";
export { alarmNamesOf, reportFailure, runReport } from "./report";
export { sinceSeconds } from "./report-queries";
export { formatReport } from "./report-text";
export { readServiceConfig } from "./service";
