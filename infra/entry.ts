/** What infra/plugin.cjs uses of the generator: infra/load.cjs builds this file and its imports. */
export { dashboardUrl } from "./dashboard";
export { type FunctionPlan, planStack, type ServiceConfig, type StackPlan } from "./plan";
