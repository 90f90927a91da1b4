/** What infra/plugin.cjs uses of the generator: infra/load.cjs builds this file and its imports. */
export { dashboardUrl } from "./dashboard";
export {
  logicalNameOf,
  readServiceConfig,
  roleIdOf,
  vitalsEnvironment,
} from "./service";
export { buildStack } from "./stack";
