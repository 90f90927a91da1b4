/**
 * lambda-vitals: production observability for Lambda HTTP handlers in one line.
 * The library's one public entry.
 */
export {
  DEFAULT_NAMESPACE,
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  EVENT_DIMENSION_SETS,
  FIELDS,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
  type MetricSpec,
  PROPERTIES_DROPPED,
  REQUEST_DIMENSION_SETS,
  type StorageResolution,
  UNITS,
  type Unit,
} from "./contract";
export { HttpError, type HttpErrorOptions } from "./errors";
// The health function's building blocks: what a team needs to serve /health and add checks.
export type {
  CheckResult,
  HealthCheck,
  HealthReport,
  HealthStatus,
  Observation,
} from "./health/checks";
export { cloudWatchChecks } from "./health/cloudwatch-check";
export { HEALTH_CONTENT_TYPE, type HealthHttpResult } from "./health/format";
export { type HealthOptions, healthHandler } from "./health/handler";
export { runtimeChecks } from "./health/runtime-check";
export { type HealthSettings, healthSettings } from "./health/settings";
export { siblingChecks } from "./health/siblings-check";
export { type Metrics, metricsFor } from "./recorder";
export { type LambdaHandler, type VitalsOptions, withVitals } from "./wrapper";
