/**
 * lambda-vitals: production observability for Lambda HTTP handlers in one line.
 * The library's one public entry.
 */
export {
  DEFAULT_NAMESPACE,
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
  REQUEST_DIMENSION_SETS,
  type StorageResolution,
  UNITS,
  type Unit,
} from "./contract";
export { HttpError, type HttpErrorOptions } from "./errors";
export { cachedFor } from "./health/cache";
export {
  type CheckResult,
  type HealthCheck,
  type HealthReport,
  type HealthStatus,
  type Observation,
  runChecks,
  worstStatus,
} from "./health/checks";
export { cloudWatchChecks } from "./health/cloudwatch-check";
export {
  HEALTH_CONTENT_TYPE,
  type HealthBody,
  type HealthHttpResult,
  healthBody,
  healthResult,
  type ServiceInfo,
} from "./health/format";
export { type HealthOptions, healthHandler } from "./health/handler";
export { checkValue, healthCheckLines, healthValue } from "./health/metrics";
export { runtimeChecks } from "./health/runtime-check";
export {
  HEALTH_ENV,
  type HealthSettings,
  healthSettings,
  type Thresholds,
} from "./health/settings";
export { type Metrics, metricsFor } from "./recorder";
export { type LambdaHandler, type VitalsOptions, withVitals } from "./wrapper";
