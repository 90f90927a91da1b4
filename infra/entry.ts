/** What infra/plugin.cjs uses of the generator: infra/load.cjs builds this file and its imports. */
export { DEFAULT_COST_OPTIONS, estimateCost } from "./cost";
export { cardinalityVerdict } from "./cost-guard";
export { costOptions, costSettings } from "./cost-settings";
export { costLine, formatCost } from "./cost-text";
export { dashboardUrl } from "./dashboard";
export { alarmNamesOf, reportFailure, runReport } from "./report";
export { sinceSeconds } from "./report-queries";
export { formatReport } from "./report-text";
export {
  logicalNameOf,
  readServiceConfig,
  roleIdOf,
  vitalsEnvironment,
} from "./service";
export { buildStack } from "./stack";
