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
export { type Metrics, metricsFor } from "./recorder";
export { type LambdaHandler, type VitalsOptions, withVitals } from "./wrapper";
