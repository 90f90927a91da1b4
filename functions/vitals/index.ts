/**
 * lambda-vitals: production observability for Lambda HTTP handlers in one line.
 * The package's main entry (`lambda-vitals`): what a handler needs, and nothing else. The health
 * function's parts are `lambda-vitals/health`, the test helper `lambda-vitals/testing`; the metric
 * contract and every other module are internal (docs/api.md).
 */
export { HttpError, type HttpErrorOptions } from "./errors";
export { type Metrics, metricsFor } from "./recorder";
export { type LambdaHandler, type VitalsOptions, withVitals } from "./wrapper";
