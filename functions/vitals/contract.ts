/**
 * The metric contract: every name, unit and dimension the wrapper emits. The dashboard, the
 * alarms, the health check and the tests import it from here, so a renamed metric cannot leave a
 * dead widget or a silent alarm behind.
 */

/** CloudWatch units accepted in EMF (the `MetricDatum` unit list). */
export const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
] as const;

export type Unit = (typeof UNITS)[number];

/**
 * Whether a value is one of the `UNITS`.
 *
 * @example
 * isUnit("Milliseconds"); // true
 * isUnit("ms"); // false
 */
export function isUnit(value: unknown): value is Unit {
  return (UNITS as readonly unknown[]).includes(value);
}

/** 60 is CloudWatch's standard resolution; 1 stores per-second data (billed as high resolution). */
export type StorageResolution = 1 | 60;

/** A metric as the contract names it: what CloudWatch stores it under, and in which unit. */
export interface MetricSpec {
  readonly name: string;
  readonly unit: Unit;
}

/** Dimension names of the request metrics. `Route` is always a route template, never a raw path. */
export const DIMENSIONS = { service: "Service", route: "Route" } as const;

/**
 * The canonical line's fields besides metrics and dimensions: what Logs Insights queries read
 * (`fields requestId, errorType | filter status >= 500`). Each is written only when known.
 */
export const FIELDS = {
  requestId: "requestId",
  traceId: "traceId",
  method: "method",
  path: "path",
  status: "status",
  errorType: "errorType",
  errorMessage: "errorMessage",
} as const;

/**
 * The field that replaces a handler's properties that could not be written (too large, not
 * serialisable). Apart from `FIELDS`, like `DROPPED_METRIC_DATA`: only lines with recorded data
 * write it, so a handler that records nothing does not bundle it.
 */
export const PROPERTIES_DROPPED = "vitalsPropertiesDropped";

/**
 * Request metrics, written on every invocation's canonical line. `Errors` and `ClientErrors` are
 * 0 or 1 on every line, so their Average is the error rate; `ColdStart` and `Timeouts` are written
 * only when they happen (Sum counts them), which keeps the common line short.
 */
export const METRICS = {
  requests: { name: "Requests", unit: "Count" },
  latency: { name: "Latency", unit: "Milliseconds" },
  errors: { name: "Errors", unit: "Count" },
  clientErrors: { name: "ClientErrors", unit: "Count" },
  coldStart: { name: "ColdStart", unit: "Count" },
  timeouts: { name: "Timeouts", unit: "Count" },
} as const satisfies Record<string, MetricSpec>;

/**
 * Health metrics, written by the scheduled health run: 1 healthy, 0 not. `Health` is the overall
 * result; `HealthCheck` carries one value per check under the extra `Check` dimension.
 */
export const HEALTH_METRICS = {
  health: { name: "Health", unit: "Count" },
  check: { name: "HealthCheck", unit: "Count" },
} as const satisfies Record<string, MetricSpec>;

export const HEALTH_CHECK_DIMENSION = "Check";

/**
 * Written on a separate warning line when a handler recorded metric data that CloudWatch would
 * reject (NaN, Infinity, a bad name or unit): the data is dropped, and this counts it.
 */
export const DROPPED_METRIC_DATA = {
  name: "DroppedMetricData",
  unit: "Count",
} as const satisfies MetricSpec;

/** Dimension sets of the request metrics: per route, and the service as a whole. */
export const REQUEST_DIMENSION_SETS = [
  [DIMENSIONS.service, DIMENSIONS.route],
  [DIMENSIONS.service],
] as const;

/**
 * Dimension sets of the same metrics for events that are not HTTP requests (a queue, a schedule):
 * per route only, so that the service-wide figures, which the alarms and the health check read,
 * describe the API that callers see, not the health probe's own runs.
 */
export const EVENT_DIMENSION_SETS = [[DIMENSIONS.service, DIMENSIONS.route]] as const;

/** Defaults when neither options nor environment (`VITALS_NAMESPACE`, `VITALS_SERVICE`) say. */
export const DEFAULT_NAMESPACE = "LambdaVitals";

/*
 * The environment the plugin sets and the library reads: the plugin writes these names into each
 * function's configuration, the wrapper and the health check read them back. One constant each,
 * not one object: a bundle keeps only the names its code reads.
 */
/** The CloudWatch namespace the wrapper writes to. */
export const NAMESPACE_VARIABLE = "VITALS_NAMESPACE";
/** The `Service` dimension. */
export const SERVICE_VARIABLE = "VITALS_SERVICE";
/** `custom.vitals.routes.<function>` as a JSON list: the wrapper's `routes` when the code gives none. */
export const ROUTES_VARIABLE = "VITALS_ROUTES";
/** The health function's comma-separated list of the service's other functions. */
export const SIBLINGS_VARIABLE = "HEALTH_SIBLING_FUNCTIONS";

/**
 * The health function's list of the burn-rate alarm pairs that page (comma-separated alarm names),
 * which the plugin sets when the service has objectives: `/health` warns while one is in ALARM.
 */
export const BUDGET_ALARMS_VARIABLE = "HEALTH_BUDGET_ALARMS";

/** The methods the wrapper writes as themselves in `Route`; any other is written as `OTHER`. */
export const HTTP_METHOD = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT)$/;

/** The method written for a request whose method `HTTP_METHOD` does not match. */
export const OTHER_METHOD = "OTHER";

/** The path the wrapper writes (`GET /*`) for a request that no route template describes. */
export const CATCH_ALL_PATH = "/*";

/** The route key of an HTTP API's catch-all route: finer templates win over it. */
export const DEFAULT_ROUTE = "$default";

/**
 * A route template's grammar: `[METHOD] /path`, the method optional and upper-cased, `ANY`
 * kept as written. Undefined for anything else. The wrapper compiles the path, the plugin
 * draws rows from it: both read a template with this one function.
 *
 * @example
 * splitRouteTemplate("get /orders/{id}"); // { method: "GET", path: "/orders/{id}" }
 * splitRouteTemplate("/files/{path+}"); // { method: undefined, path: "/files/{path+}" }
 */
export function splitRouteTemplate(
  template: unknown,
): { method: string | undefined; path: string } | undefined {
  const match = /^(?:(\w+) +)?(\/\S*)$/.exec(String(template).trim());
  if (match === null) return undefined;
  return { method: match[1]?.toUpperCase(), path: match[2] ?? "" };
}

/**
 * Whether a route is a catch-all that a `routes` template may refine: `$default` and
 * `{name+}` paths, as API Gateway names them.
 *
 * @example
 * isCatchAllRoute("ANY /{proxy+}"); // true
 */
export function isCatchAllRoute(route: string): boolean {
  return route === DEFAULT_ROUTE || route.includes("+}");
}
