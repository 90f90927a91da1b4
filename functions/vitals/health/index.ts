/**
 * `lambda-vitals/health`: the health handler, the built-in checks and the types for your own.
 * Only `cloudWatchChecks` and `siblingChecks` need `@aws-sdk/client-cloudwatch`, loaded on their
 * first run (health/cloudwatch-client.ts).
 */
export type {
  CheckResult,
  HealthCheck,
  HealthReport,
  HealthStatus,
  Observation,
} from "./checks";
export { cloudWatchChecks } from "./cloudwatch-check";
export { HEALTH_CONTENT_TYPE, type HealthHttpResult } from "./format";
export { type HealthOptions, healthHandler } from "./handler";
export { runtimeChecks } from "./runtime-check";
export { type HealthSettings, healthSettings } from "./settings";
export { siblingChecks } from "./siblings-check";
